import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { BIN, startDaemonProcess } from '../support/daemonProcess.ts';
import { run as runProgram } from '../support/run.ts';

interface Health {
  checks: Record<string, Array<{ status: string; output?: string }>>;
}

/**
 * Issue 18.2: a fresh default install backs itself up with the client tools its OS offers
 * (here Debian 12's pg_dump 15), and a failed backup run by hand shows in health.
 */
test('the embedded default: backup run and backup verify --drill succeed; a failed manual run shows in health', async (t) => {
  t.timeout(300_000);
  const daemon = await startDaemonProcess(t, { databaseUrl: '', config: { logging: { level: 'info' } } });
  await daemon.waitForStatus('/health/ready', 200, 150_000);

  const run = await daemon.cli(['backup', 'run']);
  t.is(run.status, 0, `backup run: ${run.stdout} ${run.stderr}`);
  const file = run.stdout.trim().split('\n').at(-1)!;
  t.regex(file, /manual\/.+\.dump$/);
  const drill = await daemon.cli(['backup', 'verify', file, '--drill']);
  t.is(drill.status, 0, `backup verify --drill: ${drill.stdout} ${drill.stderr}`);
  let health = (await (await daemon.request('/health')).json()) as Health;
  t.is(health.checks['backup:age']![0]!.status, 'pass', 'a manual backup counts as the newest backup');

  // No pg_dump where the config points: the manual run fails, and the daemon's health says so.
  const empty = join(daemon.dir, 'no-tools');
  mkdirSync(empty);
  const failed = await runProgram(process.execPath, [BIN, 'backup', 'run', '--config', daemon.configFile], {
    cwd: daemon.dir,
    timeoutMs: 60_000,
    env: { ...process.env, INVOICE_LOADER_BACKUP__PGBINDIR: empty },
  });
  t.not(failed.status, 0, 'no pg_dump in backup.pgBinDir');
  health = (await (await daemon.request('/health')).json()) as Health;
  t.is(health.checks['backup:age']![0]!.status, 'warn');
  t.regex(health.checks['backup:age']![0]!.output!, /^the last backup failed: manual backup: /);
});
