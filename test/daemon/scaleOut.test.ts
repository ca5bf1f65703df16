import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { lockKey } from '../../src/db/advisoryLock.ts';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemonProcess.ts';
import { buildUbl } from '../support/einvoices.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';
import { numberedInvoice } from '../support/stagedInvoices.ts';
import { until } from '../support/until.ts';

/**
 * Issue 15, scale-out on one PostgreSQL: three daemons share one database, one drop folder
 * and one NEX outbox. Invoices arrive over HTTP at all three and as files in the shared folder;
 * each must be posted exactly once. The singletons (the drop folder, the backups, alert mail)
 * run on one daemon each; the daemon holding alert mail is killed with SIGKILL halfway, and
 * the others must take its singletons over, and a daemon started in its place stands by.
 * Each daemon's start notice is mailed exactly once, by whichever daemon mails at the time.
 *
 * SCALE_OUT_INVOICES sets the count (the chaos/bench figure is 1000).
 */
const INVOICES = Number(process.env.SCALE_OUT_INVOICES ?? 1000);
/** Every tenth invoice arrives as a file in the shared drop folder, the rest over HTTP. */
const isFile = (n: number) => n % 10 === 0;
const SINGLETONS = ['dropFolder', 'backup', 'alertMail'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const servers: TestSmtp[] = [];
const folders: string[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** The singletons a daemon runs now, from its actor tree (`GET /api/actors`). */
async function leading(daemon: DaemonProcess): Promise<string[]> {
  if (!daemon.running) return [];
  const answer = await daemon.request('/api/actors').catch(() => undefined);
  if (!answer?.ok) return [];
  const tree = (await answer.json()) as ActorNode;
  const walk = (node: ActorNode): ActorNode[] => [node, ...node.children.flatMap(walk)];
  return walk(tree)
    .filter((node) => node.id.startsWith('singleton:') && node.state.startsWith('leading'))
    .map((node) => node.id.slice('singleton:'.length));
}

/** Which daemon runs each singleton; fails the test when two run the same one. */
async function holders(daemons: DaemonProcess[]): Promise<Map<string, DaemonProcess[]>> {
  const byName = new Map<string, DaemonProcess[]>(SINGLETONS.map((name) => [name, []]));
  for (const daemon of daemons) for (const name of await leading(daemon)) byName.get(name)?.push(daemon);
  return byName;
}

test('three daemons on one database: every invoice posted once, every notice mailed once, singletons move within 15 s of a SIGKILL', async (t) => {
  t.timeout(600_000);
  const url = await createTestDatabase(t);
  const smtp = await startTestSmtp({ user: 'loader', password: 'smtp-secret' });
  servers.push(smtp);
  const shared = mkdtempSync(join(tmpdir(), 'invoice-loader-scaleout-'));
  folders.push(shared);
  const inbox = join(shared, 'inbox');
  const outbox = join(shared, 'outbox');
  mkdirSync(inbox, { recursive: true });
  const config = {
    intake: { dropFolder: { path: inbox, pollMs: 100, stableMs: 100 } },
    pipeline: { concurrency: 4, pollMs: 200, leaseMs: 3_000, retryMinMs: 200, retryMaxMs: 1_000, maxAttempts: 10 },
    nex: { mode: 'outbox', outboxDir: outbox, pollMs: 200, leaseMs: 3_000 },
    alerts: {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'loader', password: 'smtp-secret' },
      from: 'loader@magerstav.sk',
      to: ['it@partner.sk'],
      groupWaitMs: 200,
      evaluateMs: 200,
      retry: { minMs: 200, maxMs: 1_000 },
    },
    // The host's real CPU and disk must not add mails this test does not count.
    monitor: { enabled: false },
    logging: { level: 'info' },
  };
  const start = () => startDaemonProcess(t, { databaseUrl: url, config });
  // The first daemon takes every singleton; the two after it stand by.
  const first = await start();
  await first.waitForStatus('/health/ready', 200);
  await until('the first daemon holding every singleton', async () =>
    (await leading(first)).length === SINGLETONS.length ? true : undefined,
  );
  const others = await Promise.all([start(), start()]);
  await Promise.all(others.map((daemon) => daemon.waitForStatus('/health/ready', 200)));
  const daemons = [first, ...others];

  // Each singleton runs on exactly one daemon.
  const byName = await holders(daemons);
  for (const name of SINGLETONS)
    t.deepEqual(
      byName.get(name)!.map((daemon) => daemon.port),
      [first.port],
      `${name} runs on the first daemon only`,
    );
  const mailer = first;
  const victimHeld = await leading(mailer);
  t.log(`singletons of the daemon to be killed: ${victimHeld.join(', ')}`);

  // Uploads go round-robin to the daemons still alive; one cut off by the kill goes to the next
  // (the message id makes a second arrival of the same upload a replay, not a second invoice).
  let alive = [...daemons];
  let turn = 0;
  const upload = async (n: number) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const daemon = alive[turn++ % alive.length]!;
      const body = new FormData();
      body.append('message_id', `<scale-out-${n}@test>`);
      body.append('file', new Blob([buildUbl(numberedInvoice(n))], { type: 'application/xml' }), `upload-${n}.xml`);
      const answer = await daemon.request('/api/invoices', { method: 'POST', body }).catch(() => undefined);
      if (answer && answer.status < 300) return;
      if (Date.now() > deadline) throw new Error(`upload ${n} refused: ${answer?.status}`);
      await sleep(100);
    }
  };
  const feed = async (from: number, to: number) => {
    for (let n = from; n <= to; n++)
      if (isFile(n)) writeFileSync(join(inbox, `dropped-${n}.xml`), buildUbl(numberedInvoice(n)));
    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => !isFile(n));
    const next = () => numbers.shift();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let n = next(); n !== undefined; n = next()) await upload(n);
      }),
    );
  };

  const fed = Date.now();
  const half = Math.floor(INVOICES / 2);
  await feed(1, half);

  // SIGKILL the daemon that mails (and whatever else it runs): PostgreSQL ends its sessions, and
  // with them its locks; the others' next attempt (scaleOut.retryMs, 5 s) takes them.
  alive = daemons.filter((daemon) => daemon !== mailer);
  const killedAt = Date.now();
  mailer.signal('SIGKILL');
  const feeding = feed(half + 1, INVOICES);
  const takenOver = await until(
    'the singletons of the killed daemon on the others',
    async () => {
      const byName = await holders(alive);
      return victimHeld.every((name) => byName.get(name)!.length === 1) ? byName : undefined;
    },
    { timeoutMs: 60_000, everyMs: 100 },
  );
  const takeoverMs = Date.now() - killedAt;
  t.log(`takeover after SIGKILL: ${takeoverMs} ms (bound: scaleOut.retryMs 5 s + one attempt; target ≤ 15 s)`);
  // A bound of the design, not a speed: the lock frees with the session, the next attempt takes it.
  t.true(takeoverMs <= 15_000, `the singletons moved within 15 s (took ${takeoverMs} ms)`);
  for (const [name, list] of takenOver) t.is(list.length, 1, `${name} runs on one daemon`);

  // The service manager starts a daemon in place of the killed one: it stands by for every singleton.
  const replacement = await start();
  await replacement.waitForStatus('/health/ready', 200);
  alive.push(replacement);
  await feeding;
  const fedMs = Date.now() - fed;

  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());
  const counts = await until(
    `all ${INVOICES} invoices posted`,
    async () => {
      const { rows } = await pool.query<{ total: number; posted: number }>(
        "SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'posted')::int AS posted FROM invoices",
      );
      return rows[0]!.posted >= INVOICES ? rows[0]! : undefined;
    },
    { timeoutMs: 300_000, everyMs: 500 },
  );
  const doneMs = Date.now() - fed;
  t.log(
    `${INVOICES} invoices: fed in ${(fedMs / 1000).toFixed(1)} s, all posted after ${(doneMs / 1000).toFixed(1)} s`,
  );
  t.is(counts.total, INVOICES, 'one invoice per document: none twice');
  t.deepEqual(await leading(replacement), [], 'the replacement stands by');
  t.is((await holders(alive)).get('alertMail')!.length, 1);

  // NEX: one ISDOC per invoice in the shared outbox, no number twice.
  const isdocs = readdirSync(outbox).filter((file) => file.endsWith('.isdoc'));
  const numbers = isdocs.map((file) => /_(FV2026-\d+)_/.exec(file)?.[1]);
  const duplicatesInNex = isdocs.length - new Set(numbers).size;
  t.log(`NEX outbox: ${isdocs.length} ISDOC files, ${duplicatesInNex} duplicates`);
  t.is(isdocs.length, INVOICES);
  t.is(duplicatesInNex, 0);
  const { rows: postedTwice } = await pool.query(
    `SELECT invoice_id FROM invoice_events WHERE to_status = 'posted' GROUP BY invoice_id HAVING count(*) > 1`,
  );
  t.deepEqual(postedTwice, [], 'no invoice reached posted twice');
  const left = readdirSync(inbox).filter((name) => name !== 'processed' && name !== 'rejected');
  t.deepEqual(left, [], 'every dropped file was taken from the shared folder');

  // Mail: each daemon's start notice (four daemons) mailed once, whichever daemon mailed it.
  const instances = [...daemons, replacement].map((daemon) =>
    String(daemon.logs.find((e) => e.msg === 'daemon starting')?.instance ?? '').slice(0, 8),
  );
  await until(
    'every start notice mailed',
    async () => {
      const { rows } = await pool.query(
        "SELECT count(*)::int AS n FROM alerts WHERE condition = 'daemon_started' AND notified_at IS NULL",
      );
      return rows[0].n === 0 ? true : undefined;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  await sleep(1_000); // a second mailer, if there were one, would have sent its copy by now
  const texts = smtp.received.map((mail) => mail.parsed.text ?? '');
  const mailsPerInstance = instances.map((id) => texts.filter((text) => text.includes(`inštancia ${id}`)).length);
  t.log(`start notices in mail per daemon: ${mailsPerInstance.join(', ')}; ${smtp.received.length} mails in all`);
  t.deepEqual(mailsPerInstance, [1, 1, 1, 1], 'each start notice in exactly one mail');
  const { rows: notifications } = await pool.query<{ ids: string[] }>(
    "SELECT alert_ids AS ids FROM alert_notifications WHERE kind = 'alerts'",
  );
  const mailedIds = notifications.flatMap((row) => row.ids.map(String));
  t.is(mailedIds.length, new Set(mailedIds).size, 'no alert in two mails');
  t.is(notifications.length, smtp.received.length, 'each recorded mail sent once');
});

test('a holder whose lock sessions are cut stops its singletons before the other daemon runs them: never both at once', async (t) => {
  t.timeout(180_000);
  const url = await createTestDatabase(t);
  const shared = mkdtempSync(join(tmpdir(), 'invoice-loader-scaleout-'));
  folders.push(shared);
  const inbox = join(shared, 'inbox');
  const config = {
    monitor: { enabled: false },
    intake: { dropFolder: { path: inbox } },
    heartbeat: { intervalMs: 300 },
  };
  const a = await startDaemonProcess(t, { databaseUrl: url, config });
  await a.waitForStatus('/health/ready', 200);
  await until('the first daemon holding every singleton', async () =>
    (await leading(a)).length === SINGLETONS.length ? true : undefined,
  );
  // Where an operator sees it besides inspect: the heartbeat and the metrics.
  const beat = await a.waitForLog((e) => e.msg === 'heartbeat' && (e.singletons_here as string[]).length === 3);
  t.deepEqual([...(beat.singletons_here as string[])].sort(), [...SINGLETONS].sort());
  const metrics = await (await a.request('/metrics', { token: null })).text();
  for (const name of SINGLETONS)
    t.regex(metrics, new RegExp(`invoice_loader_singleton_leading\\{singleton="${name}"\\} 1`));
  // The second daemon tries every 0.5 s, the first every 5 s: once the locks are free again, the second takes them.
  const b = await startDaemonProcess(t, { databaseUrl: url, config: { ...config, scaleOut: { retryMs: 500 } } });
  await b.waitForStatus('/health/ready', 200);
  await b.waitForLog((e) => /runs on another instance; this one stands by$/.test(e.msg));

  // Only the first daemon's lock sessions are cut (its pool keeps working), and this test takes
  // the locks as they free, so neither daemon can run a singleton meanwhile. The test's requests
  // queue behind the first daemon's sessions before those are cut: PostgreSQL then grants each
  // lock to the queued request, never to the second daemon's try-lock (which found the test
  // waiting ahead of it). Taken after the cut instead, the second daemon sometimes won a lock
  // first, and the test's blocking request waited for ever.
  const instance = String(a.logs.find((e) => e.msg === 'daemon starting')?.instance).slice(0, 8);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  const keys = [`dropFolder:${inbox}`, 'backup', 'alertMail'].map(lockKey);
  const takers = await Promise.all(
    keys.map(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      t.teardown(() => client.end());
      return client;
    }),
  );
  const taken = keys.map((key, i) => takers[i]!.query('SELECT pg_advisory_lock($1::bigint)', [key]));
  await until('the test waiting for every lock', async () =>
    (
      await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      )
    ).rows[0]!.n >= keys.length
      ? true
      : undefined,
  );
  const mark = a.logs.length;
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE $1) AS cut`,
    [`invoice-loader ${instance} singleton %`],
  );
  t.is(rows[0].n, SINGLETONS.length, 'one lock session per singleton');
  await Promise.all(taken);
  for (const name of SINGLETONS) {
    await a.waitForLog((e) => e.code === 'SINGLETON_LOCK_LOST' && e.singleton === name, 20_000, mark);
    await a.waitForLog((e) => e.singleton === name && /stands by$/.test(e.msg), 20_000, mark);
  }
  t.deepEqual(await leading(a), [], 'the first daemon stopped every singleton');
  await Promise.all(takers.map((client) => client.query('SELECT pg_advisory_unlock_all()')));

  const after = await until(
    'every singleton on the second daemon',
    async () => ((await leading(b)).length === SINGLETONS.length ? true : undefined),
    { timeoutMs: 30_000, everyMs: 100 },
  );
  t.true(after);
  t.deepEqual(await leading(a), []);
  const standing = await a.waitForLog((e) => e.msg === 'heartbeat', 5_000, a.logs.length);
  t.deepEqual(standing.singletons_here, [], 'the first daemon runs none of them now');
  t.regex(
    await (await a.request('/metrics', { token: null })).text(),
    /invoice_loader_singleton_leading\{singleton="backup"\} 0/,
  );

  // From both daemons' logs: the spans in which each ran a singleton never overlap.
  const spans = (daemon: DaemonProcess, name: string) => {
    const list: Array<[number, number]> = [];
    for (const e of daemon.logs.filter((line) => line.singleton === name)) {
      const at = Date.parse(e.time);
      if (e.code === 'SINGLETON_LEADING') list.push([at, Infinity]);
      else if (/no longer runs here/.test(e.msg) && list.length) list[list.length - 1]![1] = at;
    }
    return list;
  };
  for (const name of SINGLETONS) {
    t.is(spans(b, name).length, 1, `${name} moved to the second daemon`);
    const overlaps = spans(a, name).flatMap(([s1, e1]) => spans(b, name).filter(([s2, e2]) => s1 < e2 && s2 < e1));
    t.deepEqual(overlaps, [], `${name} never ran on both daemons at once`);
  }
});
