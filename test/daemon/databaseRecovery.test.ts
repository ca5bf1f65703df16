import test from 'ava';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { tcpProxy } from '../support/tcpProxy.ts';

interface Health {
  status: string;
  checks: Record<string, Array<{ status: string; output?: string }>>;
}

test('an unreachable database gives a clear error and health fail, and the daemon recovers when it comes back', async (t) => {
  const real = new URL(await createTestDatabase(t));
  const port = await freePort();
  const proxy = tcpProxy(port, real.hostname, Number(real.port || 5432));
  t.teardown(() => proxy.close());
  const url = `postgres://${real.username || 'postgres'}:s3cret-pw@127.0.0.1:${port}${real.pathname}`;
  const daemon = await startDaemonProcess(t, { databaseUrl: url });

  // 1. Nothing listens there: a clear error naming host, port and database, never the password.
  const refused = await daemon.waitForLog((e) => e.code === 'DB_UNAVAILABLE');
  t.is(refused.level, 50);
  t.is(
    refused.msg.replace(/ — retrying in \d+ s$/, ''),
    `Cannot use the database at postgres://${real.username || 'postgres'}@127.0.0.1:${port}${real.pathname}: connection refused: is PostgreSQL running and listening there?`,
  );
  t.false(JSON.stringify(daemon.logs).includes('s3cret-pw'));
  // The rest of the tree still runs, so health can say what is wrong.
  const down = await daemon.waitForStatus('/health', 503);
  const report = (await down.json()) as Health;
  t.is(report.status, 'fail');
  t.regex(report.checks['database:responseTime']![0]!.output!, /connection refused/);
  t.is((await daemon.request('/health/ready')).status, 503);
  t.true(daemon.running, 'no crash loop: the process keeps running');
  const failuresBefore = daemon.logs.filter((e) => e.code === 'DB_UNAVAILABLE').length;
  t.true(failuresBefore >= 1);

  // 2. The database comes back: the daemon connects without a restart of the process.
  await proxy.open();
  await daemon.waitForLog((e) => e.msg === 'database connected');
  await daemon.waitForStatus('/health', 200);
  await daemon.waitForStatus('/health/ready', 200);

  // 3. Lost while running: the watcher notices, health fails, and it recovers again.
  const mark = daemon.logs.length;
  await proxy.close();
  await daemon.waitForLog((e) => e.code === 'DB_UNAVAILABLE', 10_000, mark);
  await daemon.waitForStatus('/health', 503);
  await proxy.open();
  await daemon.waitForLog((e) => e.msg === 'database connected', 10_000, mark);
  await daemon.waitForStatus('/health/ready', 200);
  t.is(
    daemon.logs.filter((e) => e.msg.startsWith('actor database failed')).length,
    0,
    'a lost database is a state, not an actor failure',
  );
});

test('a database that does not exist is named in the error', async (t) => {
  const real = new URL(await createTestDatabase(t));
  const url = `postgres://${real.username || 'postgres'}@${real.host}/no_such_db_${process.pid}`;
  const daemon = await startDaemonProcess(t, { databaseUrl: url });
  const error = await daemon.waitForLog((e) => e.code === 'DB_UNAVAILABLE');
  t.regex(
    error.msg,
    new RegExp(`database "no_such_db_${process.pid}" does not exist \\(create it, or fix database.url\\)`),
  );
  const health = (await (await daemon.waitForStatus('/health', 503)).json()) as Health;
  t.is(health.status, 'fail');
});
