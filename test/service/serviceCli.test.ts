import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import test from 'ava';
import { stringify } from 'yaml';
import { runCli, tempDir } from '../support/tempDir.ts';

test('service install --dry-run prints the unit with this install’s node, bin script, config and folders, and masks secrets', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, stringify({ nex: { outboxDir: join(dir, 'to-nex') }, shutdown: { timeoutMs: 40000 } }));
  const secrets = join(dir, 'secrets.env');
  writeFileSync(secrets, 'PGPASSWORD=very-secret\r\n');

  const systemd = await runCli([
    'service',
    'install',
    '--manager',
    'systemd',
    '--config',
    config,
    '--env-file',
    secrets,
    '--target-dir',
    dir,
    '--dry-run',
  ]);
  t.is(systemd.status, 0, systemd.stderr);
  t.true(systemd.stdout.includes(`write ${join(dir, 'invoice-loader.service')} (mode 644)`));
  t.true(systemd.stdout.includes(`ExecStart=${process.execPath} `));
  t.regex(systemd.stdout, /ExecStart=\S+ \/\S+\/bin\/invoice-loader\.js run --config \S+config\.yaml$/m);
  t.true(systemd.stdout.includes(`ReadWritePaths=${join(dir, 'to-nex')}`));
  t.regex(systemd.stdout, /^TimeoutStopSec=50$/m);
  t.regex(systemd.stdout, /^run: systemctl daemon-reload$/m);

  const supervisor = await runCli([
    'service',
    'install',
    '--manager',
    'supervisor',
    '--config',
    config,
    '--env-file',
    secrets,
    '--target-dir',
    dir,
    '--dry-run',
  ]);
  t.is(supervisor.status, 0, supervisor.stderr);
  t.regex(supervisor.stdout, /^environment=PGPASSWORD="\*{8}"$/m);
  t.false(supervisor.stdout.includes('very-secret'));
});

test('a service manager that is not installed is named in the error, exit 1', async (t) => {
  const result = await runCli(['service', 'status', '--manager', 'nssm', '--tool', '/nonexistent/nssm.exe']);
  t.is(result.status, 1);
  t.regex(result.stderr, /\/nonexistent\/nssm\.exe could not be started .*is it installed and on PATH\?/);
});

test('service status passes the manager’s answer and exit code through', async (t) => {
  const dir = tempDir(t);
  const fakeNssm = join(dir, 'nssm');
  writeFileSync(fakeNssm, '#!/bin/sh\necho "asked: $*"\necho SERVICE_STOPPED\nexit 3\n', { mode: 0o755 });
  const result = await runCli(['service', 'status', '--manager', 'nssm', '--name', 'Loader2', '--tool', fakeNssm]);
  t.is(result.status, 3, result.stderr);
  t.regex(result.stdout, /^asked: status Loader2$/m);
  t.regex(result.stdout, /^SERVICE_STOPPED$/m);
});
