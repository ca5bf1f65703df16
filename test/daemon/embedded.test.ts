import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { DaemonProcess, startDaemonProcess } from '../support/daemonProcess.ts';

// With no database configured the daemon runs its own PostgreSQL: what `npm start` does on a fresh machine.
test('the embedded default starts its own PostgreSQL, answers ready, and Ctrl+C stops everything with exit 0', async (t) => {
  const startedAt = Date.now();
  const daemon = await startDaemonProcess(t, {
    databaseUrl: '',
    config: { database: { embedded: { dir: './data/postgres' } } },
  });
  await daemon.waitForStatus('/health/ready', 200, 90_000);
  const seconds = (Date.now() - startedAt) / 1000;
  t.log(`ready after ${seconds.toFixed(1)} s (fresh cluster: initdb, start, migrate)`);
  t.true(seconds < 90, `ready within 90 s even on a loaded machine (took ${seconds} s)`);
  const up = await daemon.waitForLog((e) => e.msg === 'embedded PostgreSQL is up');
  t.is(up.mode, 'started');
  t.regex(String(up.target), /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/invoice_loader$/);
  const pidFile = join(daemon.dir, 'data', 'postgres', 'postmaster.pid');
  t.true(existsSync(pidFile));

  daemon.signal('SIGINT');
  t.is(await daemon.waitForExit(), 0);
  t.truthy(daemon.logs.find((e) => e.msg === 'embedded PostgreSQL stopped'));
  t.false(existsSync(pidFile), 'the server shut down cleanly (postmaster.pid removed)');
});

test('a daemon killed with SIGKILL leaves its embedded server behind; the next start adopts it', async (t) => {
  const first = await startDaemonProcess(t, { databaseUrl: '' });
  await first.waitForStatus('/health/ready', 200, 60_000);
  first.signal('SIGKILL');
  await first.waitForExit();
  // Same folder, same config: start again in place, as a service manager would.
  const second = new DaemonProcess(first.dir, first.configFile, first.port, {});
  t.teardown(async () => {
    if (second.running) second.signal('SIGTERM');
    await second.waitForExit().catch(() => second.signal('SIGKILL'));
  });
  await second.waitForStatus('/health/ready', 200, 60_000);
  const up = await second.waitForLog((e) => e.msg === 'embedded PostgreSQL is up');
  t.is(up.mode, 'adopted');
  second.signal('SIGTERM');
  t.is(await second.waitForExit(), 0);
  t.false(existsSync(join(first.dir, 'data', 'postgres', 'postmaster.pid')), 'the adopted server was stopped too');
});
