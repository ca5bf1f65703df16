import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import test from 'ava';
import { listBackups, recordVerification } from '../../src/backup/listBackups.ts';
import { runBackup } from '../../src/backup/runBackup.ts';
import { verifyBackup } from '../../src/backup/verifyBackup.ts';
import { LoaderError } from '../../src/errors.ts';
import { createScratchDatabase, withDatabase } from '../support/database.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { tempDir } from '../support/tempDir.ts';
import { addInvoice, invoiceDatabase, pgTools } from './backupFixtures.ts';
import { shippedMigrations } from '../../src/db/migrate.ts';

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Tests that stand in a shell script for pg_dump. */
const posixOnly = process.platform === 'win32' ? test.skip : test;

const adminUrl = async () => {
  // The server of the test databases, reached through its maintenance database.
  const scratch = await createScratchDatabase('admin_probe');
  await scratch.drop();
  return withDatabase(scratch.url, 'postgres');
};

test('a backup is a dump with its .sha256 and manifest, and passes every level of verification up to a drill', async (t) => {
  const { url } = await invoiceDatabase(t, 4);
  const dir = tempDir(t);
  const tools = await pgTools();
  const now = new Date('2026-03-01T02:00:07Z');
  const progress: string[] = [];
  const record = await runBackup({ url, dir, type: 'daily', tools, now, onProgress: (text) => progress.push(text) });

  const db = new URL(url).pathname.slice(1);
  const name = `invoice-loader_${db}_daily_20260301-020007`;
  t.is(record.file, join(dir, 'daily', `${name}.dump`));
  t.deepEqual(filesBelow(dir), [`daily/${name}.dump`, `daily/${name}.manifest.json`, `daily/${name}.sha256`]);
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'daily', `${name}.manifest.json`), 'utf8')), record.manifest);
  t.like(record.manifest, {
    file: `${name}.dump`,
    type: 'daily',
    created_at: '2026-03-01T02:00:07.000Z',
    database: `postgres://postgres@127.0.0.1:5432/${db}`,
    size_bytes: readFileSync(record.file).length,
    server_major: tools.version,
    pg_dump_version: tools.versionText,
  });
  t.regex(record.manifest.server_version, /^\d+/);
  t.true(record.manifest.duration_ms > 0);
  t.like(record.manifest.row_counts, {
    'public.invoices': 4,
    'public.documents': 4,
    'public.invoice_events': 4,
    'public.invoice_lines': 0,
    'public.daemon_instances': 0,
    'public.pgmigrations': shippedMigrations().length,
  });
  t.is(
    readFileSync(join(dir, 'daily', `${name}.sha256`), 'utf8'),
    `${record.manifest.sha256}  ${name}.dump\n`,
    'sha256sum format, so `sha256sum -c` checks it too',
  );
  t.true(progress.some((text) => text.startsWith('saved ')));

  const result = await verifyBackup(record.file, { level: 'drill', tools, adminUrl: await adminUrl() });
  t.true(result.ok, JSON.stringify(result.steps));
  t.is(result.level, 'drill');
  t.deepEqual(
    result.steps.map((step) => [step.step, step.ok]),
    [
      ['checksum', true],
      ['list', true],
      ['read', true],
      ['drill', true],
    ],
  );
  t.true(result.drill!.durationMs > 0);
  t.deepEqual(
    result.drill!.tables.map((table) => [table.table, table.expected, table.restored]),
    Object.entries(record.manifest.row_counts).map(([table, count]) => [table, count, count]),
  );
});

test('each level runs the ones below it and stops there', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  for (const [level, steps] of [
    ['checksum', ['checksum']],
    ['list', ['checksum', 'list']],
    ['read', ['checksum', 'list', 'read']],
  ] as const) {
    const result = await verifyBackup(file, { level, tools });
    t.like(result, { ok: true, requested: level, level });
    t.deepEqual(
      result.steps.map((step) => step.step),
      [...steps],
    );
    t.is(result.drill, undefined);
  }
  await t.throwsAsync(verifyBackup(file, { level: 'drill', tools }), { message: /needs a PostgreSQL server/ });
});

test('no scratch database is left behind by a drill', async (t) => {
  const { url, pool } = await invoiceDatabase(t, 1);
  const tools = await pgTools();
  const { file } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  const result = await verifyBackup(file, { level: 'drill', tools, adminUrl: await adminUrl() });
  t.true(result.ok);
  t.regex(result.drill!.database, /^il_drill_[0-9a-f]+$/);
  const left = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [result.drill!.database]);
  t.is(left.rowCount, 0);
});

test('the row counts describe exactly what was dumped, even while invoices keep arriving', async (t) => {
  const { url, pool } = await invoiceDatabase(t, 2);
  const tools = await pgTools();
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) await addInvoice(pool, pdfBytes(`during ${written++}`), `during-${written}.pdf`);
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { file, manifest } = await runBackup({ url, dir: tempDir(t), type: 'manual', tools });
  writing = false;
  await writer;
  t.log(`${written} invoices arrived during the test; the backup has ${manifest.row_counts['public.invoices']}`);
  const result = await verifyBackup(file, { level: 'drill', tools, adminUrl: await adminUrl() });
  t.true(result.ok, JSON.stringify(result.steps.at(-1)));
});

posixOnly('the password reaches pg_dump only through PGPASSWORD and is written nowhere', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const password = 'Pa55-never-print-me';
  const withPassword = new URL(url);
  withPassword.password = password; // the local test server trusts; the password is carried, not needed
  const dir = tempDir(t);
  const tools = await pgTools();
  // A pg_dump stand-in that records how it was called, then runs the real one.
  const seen = join(tempDir(t), 'seen.txt');
  const wrapper = join(dirname(seen), 'pg_dump');
  writeFileSync(
    wrapper,
    `#!/bin/sh\necho "args: $*" > '${seen}'\necho "env: $PGPASSWORD" >> '${seen}'\nexec '${tools.pgDump}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const progress: string[] = [];
  const record = await runBackup({
    url: withPassword.toString(),
    dir,
    type: 'manual',
    tools: { ...tools, pgDump: wrapper },
    onProgress: (text) => progress.push(text),
  });
  const [args, env] = readFileSync(seen, 'utf8').split('\n');
  t.false(args!.includes(password), 'not on the command line');
  t.is(env, `env: ${password}`);
  for (const file of filesBelow(dir)) t.false(readFileSync(join(dir, file), 'utf8').includes(password), file);
  t.false(progress.join('\n').includes(password));
  t.false(JSON.stringify(record).includes(password));
});

posixOnly('a failed dump leaves no file behind and says what happened', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const dir = tempDir(t);
  const tools = await pgTools();
  // A pg_dump that writes half a file and then fails, as when the disk fills up.
  const failing = join(tempDir(t), 'pg_dump');
  writeFileSync(
    failing,
    `#!/bin/sh\nfor a in "$@"; do case "$a" in --file=*) printf 'PGDMP partial' > "\${a#--file=}";; esac; done\n` +
      `echo 'pg_dump: error: could not write to output file: No space left on device' >&2\nexit 1\n`,
  );
  chmodSync(failing, 0o755);
  const error = await t.throwsAsync(runBackup({ url, dir, type: 'daily', tools: { ...tools, pgDump: failing } }), {
    instanceOf: LoaderError,
  });
  t.is(error.code, 'BACKUP_DUMP_FAILED');
  t.regex(error.message, /No space left on device/);
  t.deepEqual(filesBelow(dir), []);

  const gone = await t.throwsAsync(
    runBackup({ url: withDatabase(url, 'no_such_database'), dir, type: 'daily', tools }),
    { instanceOf: LoaderError },
  );
  t.is(gone.code, 'DB_UNAVAILABLE');
  t.deepEqual(filesBelow(dir), []);
});

test('tools older than the server stop the backup before it starts', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const dir = tempDir(t);
  const tools = await pgTools();
  const error = await t.throwsAsync(runBackup({ url, dir, type: 'daily', tools: { ...tools, version: 9.6 } }));
  t.like(error, { code: 'PG_DUMP_TOO_OLD' });
  t.deepEqual(filesBelow(dir), []);
});

test('two backups with the same name: the second is refused and the first stays intact', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const dir = tempDir(t);
  const tools = await pgTools();
  const now = new Date('2026-03-01T02:00:00Z');
  const first = await runBackup({ url, dir, type: 'manual', tools, now });
  await t.throwsAsync(runBackup({ url, dir, type: 'manual', tools, now }), { message: /already exists/ });
  t.true((await verifyBackup(first.file, { level: 'checksum', tools })).ok);
});

test('backups are listed newest first with their verification and last drill', async (t) => {
  const { url } = await invoiceDatabase(t, 1);
  const dir = tempDir(t);
  const tools = await pgTools();
  const older = await runBackup({ url, dir, type: 'weekly', tools, now: new Date('2026-03-01T02:00:00Z') });
  const newer = await runBackup({ url, dir, type: 'manual', tools, now: new Date('2026-03-02T09:30:00Z') });
  writeFileSync(join(dir, 'weekly', 'notes.txt'), 'not a backup');

  const drill = await verifyBackup(older.file, { level: 'drill', tools, adminUrl: await adminUrl() });
  await recordVerification(older.file, drill, new Date('2026-03-01T03:30:00Z'));
  const checked = await verifyBackup(older.file, { level: 'checksum', tools });
  await recordVerification(older.file, checked, new Date('2026-03-02T03:00:00Z'));

  const now = new Date('2026-03-02T10:00:00Z');
  const listed = await listBackups(dir, now);
  t.deepEqual(
    listed.map((entry) => [basename(entry.file), entry.type, entry.ageMs]),
    [
      [basename(newer.file), 'manual', 30 * 60 * 1000],
      [basename(older.file), 'weekly', 32 * 60 * 60 * 1000],
    ],
  );
  t.is(listed[0]!.sizeBytes, newer.manifest.size_bytes);
  t.deepEqual(listed[0]!.manifest, newer.manifest);
  t.is(listed[0]!.verified, undefined);
  t.like(listed[1]!.verified, { ok: true, requested: 'checksum', at: '2026-03-02T03:00:00.000Z' });
  t.like(listed[1]!.drill, { ok: true, requested: 'drill', at: '2026-03-01T03:30:00.000Z' });
  t.true(listed[1]!.drill!.drill!.durationMs > 0, 'the drill keeps its measured restore time');
  t.true(existsSync(join(dir, 'weekly', basename(older.file, '.dump') + '.verify.json')));
});
