/**
 * bench/backup: what a backup costs over a bare pg_dump, and how long getting it back takes.
 *
 *   node bench/backup.ts [--invoices 100000] [--rounds 3]
 *
 * Fills a scratch database with N invoices (each with a small original document and two
 * history events, written with bulk INSERT … SELECT), then in the same run:
 *   - the wall time of runBackup (snapshot, pg_dump -Fc, exact row counts, SHA-256, manifest,
 *     renames) against a bare `pg_dump -Fc` of the same database, best of --rounds each,
 *     alternating so both see the same cache; target: backup / bare ≤ 1.10;
 *   - a restore drill of that backup (restore into a scratch database and compare every
 *     table's row count): the measured recovery time; target: < 60 s.
 * The server is TEST_DATABASE_URL, else the local one on 127.0.0.1:5432, else an embedded one.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { toolConnection } from '../src/backup/databaseUrl.ts';
import { runPgCommand } from '../src/backup/pgCommand.ts';
import { findPgTools } from '../src/backup/pgTools.ts';
import { formatBytes, runBackup } from '../src/backup/runBackup.ts';
import { verifyBackup } from '../src/backup/verifyBackup.ts';
import { migrate } from '../src/db/migrate.ts';
import { LoaderError } from '../src/errors.ts';
import { createScratchDatabase, withDatabase } from '../test/support/database.ts';

const { values } = parseArgs({
  options: { invoices: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } },
});
const invoices = Number(values.invoices);
const rounds = Number(values.rounds);

const tools = await findPgTools(process.env.PG_BIN_DIR ?? '');
const scratch = await createScratchDatabase('bench_backup');
const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-bench-backup-'));
try {
  const fillStarted = performance.now();
  await fill(scratch.url, invoices);
  console.log(`filled ${invoices} invoices in ${seconds(performance.now() - fillStarted)} (${tools.versionText})`);

  let bareBest = Infinity;
  let backupBest = Infinity;
  let last: Awaited<ReturnType<typeof runBackup>> | undefined;
  for (let round = 0; round < rounds; round++) {
    const bareFile = join(dir, `bare-${round}.dump`);
    const bareStarted = performance.now();
    await bareDump(scratch.url, bareFile);
    const bareMs = performance.now() - bareStarted;
    rmSync(bareFile);

    const backupStarted = performance.now();
    const record = await runBackup({
      url: scratch.url,
      dir,
      type: 'manual',
      tools,
      now: new Date(Date.now() + round * 1000), // one name per round
    });
    const backupMs = performance.now() - backupStarted;
    console.log(`round ${round + 1}: bare pg_dump -Fc ${seconds(bareMs)}, runBackup ${seconds(backupMs)}`);
    bareBest = Math.min(bareBest, bareMs);
    backupBest = Math.min(backupBest, backupMs);
    if (last) rmSync(last.file);
    last = record;
  }
  const ratio = backupBest / bareBest;
  console.log(`dump: ${formatBytes(statSync(last!.file).size)}, rows: ${JSON.stringify(last!.manifest.row_counts)}`);
  console.log(`bare pg_dump -Fc (best of ${rounds}): ${seconds(bareBest)}`);
  console.log(`runBackup        (best of ${rounds}): ${seconds(backupBest)}`);
  console.log(`ratio backup/bare: ${ratio.toFixed(3)} (target ≤ 1.10) ${ratio <= 1.1 ? 'OK' : 'OVER'}`);

  const verifyStarted = performance.now();
  const verified = await verifyBackup(last!.file, {
    level: 'drill',
    tools,
    adminUrl: withDatabase(scratch.url, 'postgres'),
  });
  if (!verified.ok) throw new Error(`the drill failed: ${JSON.stringify(verified.steps.at(-1))}`);
  for (const step of verified.steps) console.log(`verify ${step.step}: ${seconds(step.ms)}`);
  const rto = verified.drill!.durationMs;
  console.log(`restore drill (RTO): ${seconds(rto)} (target < 60 s) ${rto < 60_000 ? 'OK' : 'OVER'}`);
  console.log(`whole ladder checksum → drill: ${seconds(performance.now() - verifyStarted)}`);
} catch (error) {
  console.error(error instanceof LoaderError ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await scratch.drop();
}

/**
 * N invoices as intake would leave them after extraction: a ~1.2 KB original document each
 * (half compressible, like a small PDF), the invoice with its header, and two events.
 */
async function fill(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
    await client.query(
      `INSERT INTO documents (id, sha256, media_type, size_bytes, content)
       SELECT md5('doc' || g)::uuid, encode(sha256(c), 'hex'), 'application/pdf', length(c), c
         FROM generate_series(1, $1::int) g,
              LATERAL (SELECT convert_to(format(E'%%PDF-1.4\\n%% bench invoice %s\\n', g) || repeat('0 0 0 RG ', 40)
                                         || (SELECT string_agg(md5(g || '/' || i), '') FROM generate_series(1, 24) i) || E'\\n%%%%EOF\\n', 'UTF8')) AS d(c)`,
      [count],
    );
    await client.query(
      `INSERT INTO invoices (id, document_id, status, channel, filename, received_at, document_type, invoice_number,
         issue_date, due_date, currency, variable_symbol, supplier_name, supplier_ico, supplier_dic, customer_name,
         total_net, total_vat, total_gross, amount_due, source_format, validation_status)
       SELECT md5('inv' || g)::uuid, md5('doc' || g)::uuid, 'needs_review', 'import', 'bench-' || g || '.pdf',
              now() - g * interval '1 minute', 'invoice', 'FV' || g, date '2026-01-01' + (g % 300), date '2026-02-01' + (g % 300),
              'EUR', g::text, 'Supplier ' || (g % 500), lpad((10000000 + g % 500)::text, 8, '0'), '20' || lpad((g % 500)::text, 8, '0'),
              'Customer s.r.o.', round((g % 1000) * 1.17, 2), round((g % 1000) * 0.27, 2), round((g % 1000) * 1.44, 2),
              round((g % 1000) * 1.44, 2), 'pdf', 'invalid'
         FROM generate_series(1, $1::int) g`,
      [count],
    );
    await client.query(
      `INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor)
       SELECT md5('inv' || g)::uuid, s.seq, s.from_status, s.to_status, s.reason, 'bench'
         FROM generate_series(1, $1::int) g,
              (VALUES (1, NULL, 'received', 'received via import'), (2, 'received', 'needs_review', 'fields missing'))
                AS s(seq, from_status, to_status, reason)`,
      [count],
    );
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

async function bareDump(url: string, file: string): Promise<void> {
  const connection = toolConnection(url);
  await runPgCommand(tools.pgDump, ['--format=custom', `--file=${file}`, `--dbname=${connection.dbname}`], {
    env: connection.env,
    failure: (reason) => new LoaderError('BENCH_DUMP_FAILED', `bare pg_dump failed: ${reason}`),
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
