import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { stringify } from 'yaml';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import { BIN } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';

function cliIn(dir: string, configFile: string) {
  return (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args, '--config', configFile], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
}

test('backup run, list, verify --drill and restore --drop bring back what the backup held', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const kept = await receiveDocument(
    pool,
    { bytes: pdfBytes('kept'), filename: 'kept.pdf', mediaType: 'application/pdf', channel: 'import' },
    'test',
  );
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-backup-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify({ database: { url }, backup: { dir: './backups' } }));
  const cli = cliIn(dir, configFile);

  const run = cli(['backup', 'run']);
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /^manual backup invoice-loader_\w+_manual_\d{8}-\d{6}\.dump: .+, verified$/m);
  const file = run.stdout.trim().split('\n').at(-1)!;

  const list = cli(['backup', 'list', '--json']);
  t.is(list.status, 0, list.stderr);
  const entries = JSON.parse(list.stdout) as Array<{ file: string; type: string; verified?: { ok: boolean } }>;
  t.like(entries[0], { file, type: 'manual', verified: { ok: true } });

  const verify = cli(['backup', 'verify', file, '--drill']);
  t.is(verify.status, 0, verify.stderr);
  t.regex(verify.stdout, /^restore drill: \d+ tables compared in \d+ ms \(measured RTO\)$/m);

  // Changed after the backup: the invoice is gone, another one came.
  await pool.query('DELETE FROM invoice_events WHERE invoice_id = $1', [kept.invoiceId]).catch(() => undefined);
  await pool.query('ALTER TABLE invoice_events DISABLE TRIGGER invoice_events_no_change');
  await pool.query('DELETE FROM invoice_events WHERE invoice_id = $1', [kept.invoiceId]);
  await pool.query('DELETE FROM invoices WHERE id = $1', [kept.invoiceId]);
  await receiveDocument(
    pool,
    { bytes: pdfBytes('later'), filename: 'later.pdf', mediaType: 'application/pdf', channel: 'import' },
    'test',
  );

  const refused = cli(['restore', file, '--yes']);
  t.is(refused.status, 1);
  t.regex(refused.stderr, /already holds \d+ tables; restore into an empty database, or use --drop/);
  const noTerminal = cli(['restore', file, '--drop']);
  t.is(noTerminal.status, 1);
  t.regex(noTerminal.stderr, /add --yes/);

  const restored = cli(['restore', file, '--drop', '--yes']);
  t.is(restored.status, 0, restored.stderr);
  const check = new pg.Client({ connectionString: url });
  await check.connect();
  t.teardown(() => check.end());
  t.deepEqual((await check.query('SELECT filename FROM invoices ORDER BY filename')).rows, [{ filename: 'kept.pdf' }]);
  t.deepEqual((await check.query('SELECT d.content FROM documents d')).rows[0].content, pdfBytes('kept'));
});

test('a daemon started after a backup knows it: last_backup_at in the heartbeat, backup age in health', async (t) => {
  const { createTestDatabase } = await import('../support/database.ts');
  const { DaemonProcess, startDaemonProcess } = await import('../support/daemonProcess.ts');
  const first = await startDaemonProcess(t, {
    databaseUrl: await createTestDatabase(t),
    config: { heartbeat: { intervalMs: 300 } },
  });
  await first.waitForStatus('/health/ready', 200);
  const early = await first.waitForLog((e) => e.msg === 'heartbeat');
  t.is(early.last_backup_at, null);
  const run = await first.cli(['backup', 'run']);
  t.is(run.status, 0, run.stderr);
  first.signal('SIGTERM');
  t.is(await first.waitForExit(), 0);

  const second = new DaemonProcess(first.dir, first.configFile, first.port, {});
  t.teardown(async () => {
    if (second.running) second.signal('SIGTERM');
    await second.waitForExit().catch(() => second.signal('SIGKILL'));
  });
  await second.waitForStatus('/health/ready', 200);
  const beat = await second.waitForLog((e) => e.msg === 'heartbeat');
  t.regex(String(beat.last_backup_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
  const health = (await (await second.request('/health')).json()) as {
    checks: Record<string, Array<{ status: string; observedValue: unknown }>>;
  };
  t.like(health.checks['backup:age']![0], { status: 'pass', observedValue: beat.last_backup_at });
});
