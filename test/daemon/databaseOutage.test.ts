import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { createTestDatabase, withDatabase } from '../support/database.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemonProcess.ts';
import { buildUbl } from '../support/einvoices.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';

/**
 * Issue 19: PostgreSQL dropping the daemon's connections is a state, not a crash. 200
 * invoices flow in through the drop folder and HTTP while the database goes away under
 * them; the same process ends with every invoice posted once and every file moved.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOTAL = 200;
const FAST = {
  intake: { dropFolder: { pollMs: 50, stableMs: 100 } },
  pipeline: { concurrency: 4, pollMs: 100, leaseMs: 3_000, retryMinMs: 200, retryMaxMs: 1_000, maxAttempts: 10 },
  nex: { pollMs: 100, leaseMs: 3_000, retry: { minMs: 200, maxMs: 1_000, maxAttempts: 20 } },
  logging: { level: 'info' },
};

/**
 * Half the invoices as files in the inbox, half as HTTP uploads retried until accepted (a replay
 * is harmless). The budget is time, not attempts: how long an embedded server takes to come back
 * after a SIGKILL depends on how loaded the machine is.
 */
async function feed(daemon: DaemonProcess): Promise<void> {
  const inbox = join(daemon.dir, 'inbox');
  const upload = async (n: number) => {
    const deadline = Date.now() + 120_000;
    for (let attempt = 1; ; attempt++) {
      const body = new FormData();
      body.append('message_id', `<outage-${n}@test>`);
      body.append('file', new Blob([buildUbl(numberedInvoice(n))], { type: 'application/xml' }), `upload-${n}.xml`);
      const answer = await daemon.request('/api/invoices', { method: 'POST', body }).catch(() => undefined);
      if (answer && answer.status < 300) return;
      if (!daemon.running || Date.now() > deadline)
        throw new Error(
          `upload ${n} refused ${attempt} times: ${answer?.status}; ${daemon.describeEnd()} ${JSON.stringify(daemon.logs.filter((e) => e.level >= 50))}`,
        );
      await sleep(100);
    }
  };
  for (let n = 1; n <= TOTAL; n += 10) {
    const batch = Array.from({ length: 10 }, (_, i) => n + i);
    for (const k of batch.filter((k) => k % 2 === 1))
      writeFileSync(join(inbox, `dropped-${k}.xml`), buildUbl(numberedInvoice(k)));
    await Promise.all(batch.filter((k) => k % 2 === 0).map(upload));
    await sleep(60);
  }
}

async function settled(t: ExecutionContext, daemon: DaemonProcess, url: string, pid: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());
  const inbox = join(daemon.dir, 'inbox');
  const left = () => readdirSync(inbox).filter((name) => name !== 'processed' && name !== 'rejected');
  const deadline = Date.now() + 40_000;
  let counts: { total: number; posted: number } = { total: 0, posted: 0 };
  for (;;) {
    if (!daemon.running) t.fail(`the daemon exited: ${daemon.describeEnd()}`);
    counts = await pool
      .query("SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'posted')::int AS posted FROM invoices")
      .then((r) => r.rows[0])
      .catch(() => counts);
    if (counts.posted === TOTAL && left().length === 0) break;
    if (Date.now() > deadline) {
      const statuses = (await pool.query('SELECT status, count(*)::int AS n FROM invoices GROUP BY status')).rows;
      const stuck = (await pool.query("SELECT id FROM invoices WHERE status <> 'posted'")).rows.map((r) => r.id);
      const lines = daemon.logs.filter((e) => stuck.some((id) => JSON.stringify(e).includes(id)));
      t.log(
        JSON.stringify(
          lines
            .slice(-8)
            .map((e) => `${e.msg} ${String((e.err as { message?: string } | undefined)?.message ?? e.err ?? '')}`),
        ),
      );
      t.fail(`not settled: ${JSON.stringify(statuses)}, ${left().length} files left in the inbox`);
      return;
    }
    await sleep(250);
  }
  t.true(daemon.running, 'the daemon is still running');
  t.is(daemon.child.pid, pid, 'the same process');
  t.is(counts.total, TOTAL, 'one invoice per document: none lost, none twice');
  const numbers = (await pool.query('SELECT invoice_number, outbox_file FROM invoices')).rows;
  t.is(new Set(numbers.map((row) => row.invoice_number)).size, TOTAL);

  const outbox = join(daemon.dir, 'outbox');
  const isdocs = readdirSync(outbox).filter((file) => file.endsWith('.isdoc'));
  t.is(isdocs.length, TOTAL, 'one ISDOC per invoice in the outbox');
  const posted = isdocs.map((file) => /_(FV2026-\d+)_/.exec(file)?.[1]);
  t.is(new Set(posted).size, TOTAL, 'no invoice posted twice');
  t.deepEqual(numbers.map((row) => row.outbox_file).sort(), isdocs.sort(), 'each invoice names its own file');
  t.deepEqual(left(), [], 'every file moved out of the inbox');
  t.is(readdirSync(join(inbox, 'processed')).flatMap((day) => readdirSync(join(inbox, 'processed', day))).length, 100);
  t.false(existsSync(join(inbox, 'rejected')) && readdirSync(join(inbox, 'rejected')).length > 0);
  const fatal = daemon.logs.filter((e) => /uncaught|unhandled/i.test(e.msg));
  t.deepEqual(fatal, [], 'no uncaught exception or unhandled rejection');
  const logFile = readdirSync(join(daemon.dir, 'logs')).map((f) => readFileSync(join(daemon.dir, 'logs', f), 'utf8'));
  t.false(logFile.join('').includes('uncaught exception'));
}

test.serial(
  'a configured server terminating every backend of the daemon, again and again, while 200 invoices flow',
  async (t) => {
    t.timeout(240_000);
    const url = await createTestDatabase(t);
    const database = new URL(url).pathname.slice(1);
    const daemon = await startDaemonProcess(t, { databaseUrl: url, config: FAST });
    await daemon.waitForStatus('/health/ready', 200);
    const pid = daemon.child.pid!;

    // Only this test's database: the server is shared.
    const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
    admin.on('error', () => undefined);
    await admin.connect();
    t.teardown(() => admin.end());
    let terminated = 0;
    const cutting = (async () => {
      await sleep(500);
      for (let round = 0; round < 6; round++) {
        const { rows } = await admin.query(
          'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) AS cut',
          [database],
        );
        terminated += rows[0].n;
        await sleep(700);
      }
    })();
    await Promise.all([feed(daemon), cutting]);
    t.log(`${terminated} backends terminated in 6 rounds`);
    t.true(terminated >= 6);
    await settled(t, daemon, url, pid);
    t.true(
      daemon.logs.some(
        (e) =>
          e.code === 'DB_UNAVAILABLE' ||
          /connection|terminat/i.test(String((e.err as { message?: string } | undefined)?.message ?? e.msg)),
      ),
      'the cuts were noticed',
    );
  },
);

test.serial(
  'the embedded postmaster killed with SIGKILL mid-run is started again, and the flow carries on',
  async (t) => {
    t.timeout(400_000);
    const daemon = await startDaemonProcess(t, { databaseUrl: '', config: FAST });
    const dataDir = join(daemon.dir, 'data', 'postgres');
    const postmaster = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    t.teardown(async () => {
      if (daemon.running) {
        daemon.signal('SIGTERM');
        await daemon.waitForExit(30_000).catch(() => undefined);
      }
      // Only the server this test's daemon started, if a failure left it behind.
      const left = existsSync(join(dataDir, 'postmaster.pid')) ? postmaster() : 0;
      try {
        if (left > 0) process.kill(left, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    await daemon.waitForStatus('/health/ready', 200, 150_000);
    const pid = daemon.child.pid!;
    const killed = postmaster();

    const killing = (async () => {
      await sleep(1_500);
      process.kill(killed, 'SIGKILL');
    })();
    await Promise.all([feed(daemon), killing]);
    await daemon.waitForLog((e) => e.code === 'EMBEDDED_DB_DIED', 60_000);
    const died = daemon.logs.findIndex((e) => e.code === 'EMBEDDED_DB_DIED');
    const up = await daemon.waitForLog((e) => e.msg === 'embedded PostgreSQL is up', 90_000, died);
    t.is(up.mode, 'started', 'started again on the same data folder');
    t.not(postmaster(), killed);
    const port = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    const password = readFileSync(`${dataDir}.password`, 'utf8').trim();
    await settled(
      t,
      daemon,
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/invoice_loader`,
      pid,
    );
  },
);
