import { randomUUID } from 'node:crypto';
import test from 'ava';
import type pg from 'pg';
import { pino } from 'pino';
import { createActor, createMachine, type AnyActorRef } from 'xstate';
import { daemonTree } from '../../machines/daemon.ts';
import { claimAndRunMachine } from '../../machines/claimAndRun.ts';
import { supervisorMachine, type Announcement } from '../../machines/supervisor.ts';
import { loadConfig } from '../../src/config/load.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import { createInvoicesService } from '../../src/pipeline/invoicesService.ts';
import { createThroughput } from '../../src/runtime/throughput.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { settings, testWorker } from '../support/supervision.ts';
import { until } from '../support/until.ts';

const INVOICES = 40;
const STOP_TIMEOUT_MS = 2_000;
/** The NEX writer finishing a post: most of a worker's budget, which `pipeline` spends before it stops `invoices`. */
const NEX_WRITER_STOP_MS = 1_800;
/**
 * A transaction of someone else's that holds every invoice row: the lease release waits for it.
 * Longer than one worker budget (a flat timeout cuts `pipeline` off before the rows are free),
 * well inside what `invoices` has left of its own budget once the NEX writer has stopped.
 */
const ROWS_LOCKED_MS = 2_400;

const leased = async (pool: pg.Pool | pg.PoolClient) =>
  Number(
    (await pool.query('SELECT count(*) FROM invoices WHERE lease_owner IS NOT NULL OR lease_until IS NOT NULL')).rows[0]
      .count,
  );

/** The daemon's real tree with the real invoices actor and its store; every other actor a stand-in. */
function startTree(pool: pg.Pool) {
  const announcements: Announcement[] = [];
  const supervisor = supervisorMachine.provide({
    actions: { announce: (_args, params) => void announcements.push(params as Announcement) },
  });
  const service = createInvoicesService({
    pool: () => pool,
    owner: randomUUID(),
    settings: loadConfig({ env: {} }).config.pipeline,
    logger: pino({ level: 'silent' }),
    throughput: createThroughput(),
    actor: 'test',
  });
  // Each lifecycle is in the middle of a slow step when the stop comes.
  const slowLifecycle = createMachine({ initial: 'extracting', states: { extracting: {} } });
  const input = daemonTree(
    {
      supervisor,
      database: testWorker,
      dropFolder: testWorker,
      http: undefined,
      extractionWorkers: [
        { id: 'worker-1', logic: testWorker },
        { id: 'worker-2', logic: testWorker },
      ],
      invoices: claimAndRunMachine.provide({ actors: service.actors, actions: service.actions }),
      nexWriter: testWorker,
      backup: undefined,
      heartbeat: testWorker,
    },
    {
      supervision: { ...settings, stopTimeoutMs: STOP_TIMEOUT_MS, shutdownLimitMs: 20_000 },
      database: undefined,
      invoices: { concurrency: INVOICES, lifecycle: slowLifecycle },
      nexWriter: { stopTakesMs: NEX_WRITER_STOP_MS },
      backup: undefined,
      heartbeat: { intervalMs: 60_000 },
    },
  );
  const root: AnyActorRef = createActor(supervisor, { input });
  return { root, announcements };
}

test('a graceful stop under load returns every lease before the tree is done', async (t) => {
  const pool = await migratedPool(t);
  for (let n = 0; n < INVOICES; n++) {
    await receiveDocument(
      pool,
      { bytes: pdfBytes(`lease ${n}`), filename: `lease-${n}.pdf`, mediaType: 'application/pdf', channel: 'http' },
      'test',
    );
  }
  const { root, announcements } = startTree(pool);
  t.teardown(() => root.stop());
  const ended = new Promise<void>((resolve, reject) => root.subscribe({ complete: resolve, error: reject }));
  ended.catch(() => undefined); // awaited below; a failure before then must not be an unhandled rejection
  root.start();
  await until('every invoice claimed', async () => ((await leased(pool)) === INVOICES ? true : undefined), {
    timeoutMs: 20_000,
    everyMs: 20,
  });

  // Its own connection, so the check never waits in the pool behind a query blocked by the locked rows.
  const checker = await pool.connect();
  t.teardown(() => checker.release());
  const locker = await pool.connect();
  t.teardown(() => locker.release());
  await locker.query('BEGIN');
  await locker.query('SELECT id FROM invoices FOR UPDATE');
  const unlock = setTimeout(() => void locker.query('COMMIT'), ROWS_LOCKED_MS);
  t.teardown(() => clearTimeout(unlock));

  let deadline: NodeJS.Timeout | undefined;
  const tooLate = new Promise<never>((_resolve, reject) => {
    deadline = setTimeout(() => reject(new Error('the tree did not stop within 15 s')), 15_000);
  });
  root.send({ type: 'child.stop' });
  await Promise.race([ended, tooLate]).finally(() => clearTimeout(deadline));

  t.is(await leased(checker), 0, 'an invoice kept its lease: releaseAll was cut off');
  const forced = announcements.flatMap((a) => (a.event === 'child_stopped' && a.forced ? [a.child] : []));
  t.deepEqual(forced, []);
  t.true(
    announcements.some((a) => a.event === 'child_stopped' && a.child === 'invoices' && !a.forced),
    'invoices reached its final state',
  );
});
