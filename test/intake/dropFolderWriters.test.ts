import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pino from 'pino';
import type pg from 'pg';
import { createActor, toPromise } from 'xstate';
import type { Config } from '../../src/config/schema.ts';
import { sha256 } from '../../src/db/invoiceStore.ts';
import { createDropFolder } from '../../src/intake/dropFolder.ts';
import { createIngest, type Ingest } from '../../src/intake/ingest.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { tempDir } from '../support/tempDir.ts';
import { until } from '../support/until.ts';

/**
 * Writers that pause: the drop folder's own actors against a real database, with the writer
 * driven by the test, so the moments that matter (a pause longer than stableMs, a write
 * between storing and moving) happen exactly where the test puts them.
 */
type Settings = Config['intake']['dropFolder'];
const SETTINGS: Settings = {
  enabled: true,
  path: '',
  pollMs: 50,
  stableMs: 200,
  incompleteRetryMs: 60_000,
  maxFileMb: 25,
};

async function watchFolder(
  t: Parameters<typeof migratedPool>[0],
  pool: pg.Pool,
  settings: Partial<Settings> = {},
  wrap: (ingest: Ingest) => Ingest = (ingest) => ingest,
  logger: pino.Logger = pino({ level: 'silent' }),
  leftoverAfterMs?: number,
) {
  const inbox = tempDir(t);
  const ingest = createIngest({ pool: () => pool, logger, wake: () => {}, actor: 'intake@test' });
  const folder = createDropFolder({
    settings: { ...SETTINGS, path: inbox, ...settings },
    ingest: wrap(ingest),
    logger,
    pool: () => pool,
    actor: 'intake@test',
    leftoverAfterMs,
  });
  await toPromise(createActor(folder.actors.start).start());
  const watcher = createActor(folder.actors.watch).start();
  t.teardown(async () => {
    watcher.stop();
    await toPromise(createActor(folder.actors.stop).start());
  });
  return { inbox, folder };
}

const processed = (inbox: string) => {
  const root = join(inbox, 'processed');
  return existsSync(root) ? readdirSync(root).flatMap((day) => readdirSync(join(root, day))) : [];
};

const invoices = async (pool: pg.Pool) =>
  (
    await pool.query(
      `SELECT i.id, i.status, i.superseded_by, d.sha256 FROM invoices i JOIN documents d ON d.id = i.document_id
       ORDER BY i.received_at`,
    )
  ).rows;

test('a PDF whose writer pauses longer than stableMs is stored once, complete', async (t) => {
  const pool = await migratedPool(t);
  const { inbox } = await watchFolder(t, pool);
  const whole = pdfBytes('paused', 3000);
  const path = join(inbox, 'paused.pdf');
  writeFileSync(path, whole.subarray(0, 1500));
  // The writer stops for 1.5 s, far past stableMs (200 ms): the half file looks finished by size and mtime.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  appendFileSync(path, whole.subarray(1500));
  await until('the move', () => (processed(inbox).includes('paused.pdf') ? true : undefined));
  const rows = await invoices(pool);
  t.is(rows.length, 1, 'nothing was stored of the half-written file');
  t.is(rows[0].sha256, sha256(whole));
});

test('a file that changes after it was stored supersedes that copy, and its complete version is stored and linked', async (t) => {
  const pool = await migratedPool(t);
  const first = pdfBytes('signed');
  // An incremental update, as a signing tool appends one: the first part is a complete PDF by itself.
  const update = Buffer.from('\n% signature added\n%%EOF\n', 'latin1');
  let resumed = false;
  const { inbox } = await watchFolder(t, pool, {}, (ingest) => async (arrival) => {
    const stored = await ingest(arrival);
    if (!resumed) {
      // The writer goes on right after the copy was committed, before the file is moved.
      resumed = true;
      appendFileSync(join(inbox, 'signed.pdf'), update);
    }
    return stored;
  });
  writeFileSync(join(inbox, 'signed.pdf'), first);
  await until('the move', () => (processed(inbox).includes('signed.pdf') ? true : undefined));
  t.deepEqual(processed(inbox), ['signed.pdf'], 'moved once, when it was stored as it is');
  const rows = await invoices(pool);
  t.is(rows.length, 2);
  t.like(rows[0], { status: 'superseded', superseded_by: rows[1].id, sha256: sha256(first) });
  t.is(rows[1].sha256, sha256(Buffer.concat([first, update])));
  t.not(rows[1].status, 'duplicate', 'the complete version is its own invoice, not a duplicate');
  const events = (
    await pool.query('SELECT from_status, to_status, reason FROM invoice_events WHERE invoice_id = $1 ORDER BY seq', [
      rows[0].id,
    ])
  ).rows;
  t.true(events.some((e) => e.to_status === 'superseded' && /changed after it was stored/.test(e.reason)));
  t.like(events.at(-1), {
    from_status: 'superseded',
    to_status: 'superseded',
    reason: `the complete file is invoice ${rows[1].id}`,
  });
});

test('a PDF that never gets its end is stored as it is after incompleteRetryMs, not before', async (t) => {
  const pool = await migratedPool(t);
  const { inbox } = await watchFolder(t, pool, { incompleteRetryMs: 1000 });
  const half = pdfBytes('abandoned', 3000).subarray(0, 1500);
  const started = Date.now();
  writeFileSync(join(inbox, 'abandoned.pdf'), half);
  await until('the move', () => (processed(inbox).includes('abandoned.pdf') ? true : undefined));
  t.true(Date.now() - started >= 1000, 'it was given incompleteRetryMs to be finished');
  const rows = await invoices(pool);
  t.is(rows.length, 1);
  t.is(rows[0].sha256, sha256(half));
});

test("the drop folder's last success is its last scan that left no file behind for an error", async (t) => {
  const pool = await migratedPool(t);
  let failing = true;
  let refused = 0;
  const { inbox, folder } = await watchFolder(t, pool, {}, (ingest) => async (arrival) => {
    if (failing) {
      refused += 1;
      throw new Error('the database is down');
    }
    return ingest(arrival);
  });
  writeFileSync(join(inbox, 'a.pdf'), pdfBytes('a', 2000));
  await until('a refused ingest', () => (refused >= 1 ? true : undefined));
  const beforeFailures = folder.lastScanAt();
  await until('more refused ingests', () => (refused >= 3 ? true : undefined));
  t.is(folder.lastScanAt(), beforeFailures, 'scans that left the file behind are not a success');
  failing = false;
  await until('the move', () => (processed(inbox).includes('a.pdf') ? true : undefined));
  const before = Date.now();
  await until('a clean scan', () => {
    const at = folder.lastScanAt();
    return at && Date.parse(at) >= before - 1_000 ? true : undefined;
  });
  t.pass();
});

test('a file left under a name for files still being written is never read, and reported once', async (t) => {
  const pool = await migratedPool(t);
  const lines: Array<{ code?: string; file?: string; msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const { inbox } = await watchFolder(t, pool, {}, undefined, logger, 300);
  writeFileSync(join(inbox, '..\\..\\faktura.pdf'), pdfBytes('hidden'));
  writeFileSync(join(inbox, 'faktura.pdf.part'), pdfBytes('partial'));
  const told = await until('both reported', () => {
    const found = lines.filter((line) => line.code === 'INTAKE_FILE_IGNORED');
    return found.length >= 2 ? found : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.deepEqual(
    lines
      .filter((line) => line.code === 'INTAKE_FILE_IGNORED')
      .map((line) => line.file)
      .sort(),
    ['..\\..\\faktura.pdf', 'faktura.pdf.part'],
    'once each',
  );
  t.regex(told[0]!.msg, /sa nečíta.*is not read/);
  t.deepEqual(await invoices(pool), [], 'neither was stored');
  t.true(existsSync(join(inbox, 'faktura.pdf.part')));
});
