import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, WAITING_STATUSES } from '../../src/invoice/status.ts';
import { createTestDatabase } from '../support/database.ts';
import { DaemonProcess, startDaemonProcess } from '../support/daemonProcess.ts';
import { pdfBytes, xmlBytes } from '../support/fixtures.ts';

/** A seeded PRNG (mulberry32), so a failing run can be repeated with CRASH_SEED. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('SIGKILL at random points while 200 invoices flow: each ends exactly once, none is lost, no history has a gap', async (t) => {
  t.timeout(180_000);
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e6));
  t.log(`seed ${seed} (repeat with CRASH_SEED=${seed})`);
  const random = seeded(seed);

  // 200 files: 180 distinct documents, 10 broken ones, 10 copies of earlier documents under new names.
  const files: Array<{ name: string; bytes: Buffer }> = [];
  for (let i = 0; i < 180; i++)
    files.push({
      name: `doc-${i}.${i % 3 === 0 ? 'xml' : 'pdf'}`,
      bytes: i % 3 === 0 ? xmlBytes(`x${i}`) : pdfBytes(`p${i}`, i),
    });
  for (let i = 0; i < 10; i++) files.push({ name: `broken-${i}.pdf`, bytes: Buffer.from(`<html>error ${i}</html>`) });
  for (let i = 0; i < 10; i++) files.push({ name: `copy-of-${i * 7}.pdf`, bytes: files[i * 7]!.bytes });
  files.sort(() => random() - 0.5);

  const url = await createTestDatabase(t);
  const config = {
    intake: { dropFolder: { pollMs: 50, stableMs: 50 } },
    pipeline: { concurrency: 4, pollMs: 100, leaseMs: 1_500, retryMinMs: 200, retryMaxMs: 1_000 },
    logging: { level: 'info' },
  };
  const first = await startDaemonProcess(t, { databaseUrl: url, config });
  await first.waitForStatus('/health/ready', 200);
  const inbox = join(first.dir, 'inbox');
  const daemons: DaemonProcess[] = [first];
  t.teardown(() => {
    for (const d of daemons) if (d.running) d.signal('SIGKILL');
  });

  const feeding = (async () => {
    for (let i = 0; i < files.length; i += 10) {
      for (const file of files.slice(i, i + 10)) writeFileSync(join(inbox, file.name), file.bytes);
      await sleep(40 + random() * 80);
    }
  })();

  // Kill at random moments: during start-up, intake, extraction, validation; restart each time in place.
  let current = first;
  const kills = 8;
  for (let k = 0; k < kills; k++) {
    await sleep(50 + random() * 1_200);
    current.signal('SIGKILL');
    await current.waitForExit();
    current = new DaemonProcess(first.dir, first.configFile, first.port, {});
    daemons.push(current);
  }
  await feeding;
  await current.waitForStatus('/health/ready', 200, 60_000);

  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  const deadline = Date.now() + 90_000;
  for (;;) {
    const counts = (
      await pool.query(
        'SELECT count(*)::int AS total, count(*) FILTER (WHERE status = ANY($1))::int AS active FROM invoices',
        [ACTIVE_STATUSES],
      )
    ).rows[0];
    const left = readdirSync(inbox).filter((name) => name !== 'processed' && name !== 'rejected');
    if (counts.total === files.length && counts.active === 0 && left.length === 0) break;
    if (Date.now() > deadline) t.fail(`not settled: ${JSON.stringify(counts)}, ${left.length} files left in the inbox`);
    await sleep(200);
  }

  // Exactly one invoice per file, and one real (non-duplicate) invoice per distinct content.
  const invoices = (
    await pool.query(
      'SELECT i.id, i.filename, i.status, i.duplicate_of, d.sha256 FROM invoices i JOIN documents d ON d.id = i.document_id',
    )
  ).rows;
  t.is(invoices.length, 200);
  t.deepEqual(new Set(invoices.map((i) => i.filename)).size, 200, 'every file became exactly one invoice');
  t.is((await pool.query('SELECT count(*)::int AS n FROM documents')).rows[0].n, 190);
  const real = invoices.filter((i) => i.status !== 'duplicate');
  t.is(real.length, 190);
  t.is(new Set(real.map((i) => i.sha256)).size, 190);
  for (const duplicate of invoices.filter((i) => i.status === 'duplicate')) {
    t.is(real.find((i) => i.id === duplicate.duplicate_of)?.sha256, duplicate.sha256);
  }
  t.deepEqual(
    invoices
      .filter((i) => i.status === 'unreadable')
      .map((i) => i.filename)
      .sort(),
    files
      .filter((f) => f.name.startsWith('broken-'))
      .map((f) => f.name)
      .sort(),
  );
  for (const invoice of invoices)
    t.true(
      [...WAITING_STATUSES, ...TERMINAL_STATUSES].includes(invoice.status),
      `${invoice.filename} is ${invoice.status}`,
    );

  // Every history: numbered 1..n without gaps, each step starting where the previous ended,
  // ending in the invoice's status, and entering a waiting or end state exactly once.
  type EventRow = { invoice_id: string; seq: number; from_status: string | null; to_status: string };
  const rows = (
    await pool.query<EventRow>(
      'SELECT invoice_id, seq, from_status, to_status FROM invoice_events ORDER BY invoice_id, seq',
    )
  ).rows;
  const byInvoice = Map.groupBy(rows, (row) => row.invoice_id);
  let gaps = 0;
  let brokenChains = 0;
  let settledTwice = 0;
  for (const invoice of invoices) {
    const history = byInvoice.get(invoice.id) ?? [];
    if (history.some((event, index) => event.seq !== index + 1)) gaps++;
    const chained = history.every((event, index) =>
      index === 0
        ? event.from_status === null && event.to_status === 'received'
        : event.from_status === history[index - 1]!.to_status,
    );
    if (!chained || history.at(-1)?.to_status !== invoice.status) {
      brokenChains++;
      t.log(
        `broken history of ${invoice.filename} (${invoice.status}): ${history.map((e) => `${e.seq}:${e.from_status}→${e.to_status}`).join(' ')}`,
      );
    }
    const settled = history.filter((event) =>
      ([...WAITING_STATUSES, ...TERMINAL_STATUSES] as string[]).includes(event.to_status),
    );
    if (settled.length !== 1) settledTwice++;
  }
  t.is(gaps, 0, 'no event history has a gap');
  t.is(brokenChains, 0, 'every history is one chain from received to the current status');
  t.is(settledTwice, 0, 'every invoice reached its waiting or end state exactly once');

  // And every file left the inbox for processed/.
  const processed = readdirSync(join(inbox, 'processed')).flatMap((day) => readdirSync(join(inbox, 'processed', day)));
  t.is(processed.length, 200);
  t.false(existsSync(join(inbox, 'rejected')) && readdirSync(join(inbox, 'rejected')).length > 0);
  const restarts = daemons.length - 1;
  const resumed = daemons
    .flatMap((d) => d.logs)
    .filter((e) => e.msg.startsWith('resuming '))
    .reduce((n, e) => n + (e.resumed as number), 0);
  t.log(`${resumed} invoices were resumed mid-lifecycle after a kill`);
  t.log(
    `${restarts} SIGKILLs; ${rows.length} events; statuses: ${JSON.stringify(Object.fromEntries([...Map.groupBy(invoices, (i: { status: string }) => i.status)].map(([s, l]) => [s, l.length])))}`,
  );
});
