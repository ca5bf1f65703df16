import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/load.ts';
import { planService } from '../../src/service/servicePlan.ts';
import { renderSystemdUnit } from '../../src/service/systemdUnit.ts';
import { tempDir } from '../support/tempDir.ts';

test('systemd-analyze verify accepts the rendered unit without a warning', (t) => {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    t.fail(
      `systemd-analyze is not installed (${probe.error.message}); it checks the rendered unit. ` +
        'Install systemd (scripts/install-test-deps.sh does) and run the test again.',
    );
    return;
  }
  const dir = tempDir(t, 'invoice-loader-unit-');
  const { config } = loadConfig({ env: {} });
  const root = join(dir, 'install with space');
  const plan = planService({
    name: 'invoice-loader-verify',
    config,
    configFile: join(dir, 'config.yaml'),
    installRoot: root,
    nodeExecutable: process.execPath,
    platform: 'posix',
    environmentFile: join(dir, 'env'),
  });
  for (const folder of plan.writableDirs) mkdirSync(folder, { recursive: true });
  const unit = join(dir, 'invoice-loader-verify.service');
  writeFileSync(unit, renderSystemdUnit(plan));
  const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 60_000 });
  t.is(result.status, 0, result.stderr);
  // verify exits 0 on ignored settings too (a misspelt value is only a warning): none may be printed.
  t.is(result.stderr.trim(), '');
});

test('systemd-analyze verify catches what a broken unit would do (the check can fail)', (t) => {
  const dir = tempDir(t, 'invoice-loader-unit-');
  const unit = join(dir, 'broken.service');
  writeFileSync(unit, '[Service]\nExecStart=/nonexistent/node x\nRestart=sometimes\n');
  const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 60_000 });
  t.is(result.error, undefined);
  t.true(result.status !== 0 || result.stderr.trim() !== '');
});
