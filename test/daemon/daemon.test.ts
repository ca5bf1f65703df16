import test from 'ava';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { createTestDatabase } from '../support/database.ts';
import { adminToken } from '../support/adminToken.ts';
import { startDaemonProcess, type LogEntry } from '../support/daemonProcess.ts';

const started = (child: string) => (e: LogEntry) => e.msg === 'actor started' && e.child === child;
const restarted = (child: string) => (e: LogEntry) => e.msg === 'actor restarted' && e.child === child;
const find = (node: ActorNode, id: string): ActorNode | undefined =>
  node.id === id ? node : node.children.map((child) => find(child, id)).find(Boolean);

test('the tree starts in order and the daemon answers ready', async (t) => {
  const daemon = await startDaemonProcess(t, { databaseUrl: await createTestDatabase(t) });
  await daemon.waitForStatus('/health/ready', 200);
  await daemon.waitForLog(started('heartbeat')); // log lines travel through pino's worker thread
  const order = daemon.logs.filter((e) => e.msg === 'actor started').map((e) => e.child);
  // With a configured database the singletons run inside their wrappers (scale-out, machines/singleton.ts).
  t.deepEqual(order, [
    'database',
    'singleton:dropFolder',
    'http',
    'intake',
    'worker-1',
    'extractor',
    'invoices',
    'nexWriter',
    'pipeline',
    'singleton:backup',
    'monitor',
    'singleton:alertMail',
    'alerter',
    'heartbeat',
  ]);
  const health = await daemon.request('/health', { token: null });
  t.is(health.status, 200);
  t.is(health.headers.get('content-type'), 'application/health+json; charset=utf-8');
  t.is(((await health.json()) as { status: string }).status, 'pass');
});

test('an actor crashed through the fault-injection endpoint is restarted and counted in inspect --json', async (t) => {
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, { databaseUrl });
  await daemon.waitForStatus('/health/ready', 200);
  const admin = await adminToken(databaseUrl);
  const crash = await daemon.request('/api/debug/crash/heartbeat', { method: 'POST', token: admin });
  t.is(crash.status, 202);
  const failed = await daemon.waitForLog(
    (e) =>
      e.msg ===
      'actor heartbeat failed: Actor heartbeat crashed on purpose: requested through the fault-injection endpoint.',
  );
  t.is(failed.then, 'restart');
  await daemon.waitForLog(restarted('heartbeat'));

  // The HTTP server itself: its actor is restarted and listens again.
  t.is((await daemon.request('/api/debug/crash/http', { method: 'POST', token: admin })).status, 202);
  await daemon.waitForLog(restarted('http'));
  await daemon.waitForStatus('/health/ready', 200);

  const inspect = await daemon.cli(['inspect', '--json']);
  t.is(inspect.status, 0, inspect.stderr);
  const tree = JSON.parse(inspect.stdout) as ActorNode;
  t.is(find(tree, 'heartbeat')?.restarts, 1);
  t.is(find(tree, 'heartbeat')?.status, 'running');
  t.is(find(tree, 'http')?.restarts, 1);
  t.is(find(tree, 'database')?.restarts, 0);
  t.is(find(tree, 'intake')?.kind, 'supervisor');

  const metrics = await (await daemon.request('/metrics', { token: null })).text();
  t.regex(metrics, /invoice_loader_actor_restarts_total\{supervisor="root",child="heartbeat"\} 1/);
  t.regex(metrics, /invoice_loader_actor_restarts_total\{supervisor="intake",child="http"\} 1/);

  const unknown = await daemon.request('/api/debug/crash/nope', { method: 'POST', token: admin });
  t.is(unknown.status, 404);
  t.is(((await unknown.json()) as { error: { code: string } }).error.code, 'UNKNOWN_ACTOR');
});

test('the API needs the token, health stays open, fault injection is off unless configured', async (t) => {
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, { databaseUrl, config: { debug: { faultInjection: false } } });
  await daemon.waitForStatus('/health/ready', 200);
  const admin = await adminToken(databaseUrl);
  const missing = await daemon.request('/api/actors', { token: null });
  t.is(missing.status, 401);
  t.is(((await missing.json()) as { error: { code: string } }).error.code, 'AUTH_MISSING');
  const wrong = await daemon.request('/api/actors', { token: 'wrong' });
  t.is(wrong.status, 401);
  t.is(((await wrong.json()) as { error: { code: string } }).error.code, 'AUTH_INVALID');
  const bearer = await fetch(daemon.url('/api/actors'), { headers: { authorization: 'Bearer test-token-0123456789' } });
  t.is(bearer.status, 200);
  t.is(((await bearer.json()) as ActorNode).id, 'root');
  t.is((await daemon.request('/api/debug/crash/heartbeat', { method: 'POST', token: null })).status, 401);
  t.is(
    (await daemon.request('/api/debug/crash/heartbeat', { method: 'POST' })).status,
    403,
    'http.token is an operator',
  );
  const disabled = await daemon.request('/api/debug/crash/heartbeat', { method: 'POST', token: admin });
  t.is(disabled.status, 404);
  t.is(((await disabled.json()) as { error: { code: string } }).error.code, 'FAULT_INJECTION_DISABLED');
  t.is((await daemon.request('/health/live', { token: null })).status, 200);
  t.is((await daemon.request('/metrics', { token: null })).status, 200);
});

test('the heartbeat line carries its stable keys', async (t) => {
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, { databaseUrl, config: { heartbeat: { intervalMs: 300 } } });
  await daemon.waitForStatus('/health/ready', 200);
  const admin = await adminToken(databaseUrl);
  const first = await daemon.waitForLog((e) => e.msg === 'heartbeat');
  const keys = [
    'uptime_s',
    'actors',
    'restarts',
    'invoices_processed',
    'invoices_failed',
    'success_rate',
    'breakers',
    'rss_bytes',
    'event_loop_lag_ms',
    'db_ok',
    'last_backup_at',
    'last_drill',
  ];
  for (const key of keys) t.true(key in first, `heartbeat has ${key}`);
  t.is(first.level, 30);
  t.is(first.db_ok, true);
  t.deepEqual(first.restarts, { total: 0, since_last: 0 });
  // 13 actors, the 3 singleton wrappers, and alertMail (the mail role, which exists under scale-out only).
  t.is((first.actors as Record<string, number>).running, 17);
  t.deepEqual(first.breakers, {}, 'outbox mode has no gateway, so no breaker');
  t.is(first.success_rate, null);
  t.is(first.last_backup_at, null);
  t.is(first.last_drill, null);
  t.true((first.rss_bytes as number) > 1_000_000);

  const mark = daemon.logs.length;
  await daemon.request('/api/debug/crash/http', { method: 'POST', token: admin });
  // The first beat that sees the restart counts it as new; the one after does not.
  const counting = await daemon.waitForLog(
    (e) => e.msg === 'heartbeat' && (e.restarts as { total: number }).total === 1,
    5_000,
    mark,
  );
  t.deepEqual(counting.restarts, { total: 1, since_last: 1 });
  const following = await daemon.waitForLog((e) => e.msg === 'heartbeat', 5_000, daemon.logs.indexOf(counting) + 1);
  t.deepEqual(following.restarts, { total: 1, since_last: 0 });
});

test('SIGTERM stops the children in reverse order within the deadline and exits 0', async (t) => {
  const daemon = await startDaemonProcess(t, { databaseUrl: await createTestDatabase(t) });
  await daemon.waitForStatus('/health/ready', 200);
  daemon.signal('SIGTERM');
  t.is(await daemon.waitForExit(), 0);
  const stopped = daemon.logs
    .filter((e) => e.msg.startsWith('actor ') && e.msg.endsWith(' stopped'))
    .map((e) => e.child);
  t.deepEqual(stopped, [
    'heartbeat',
    'alerter',
    'singleton:alertMail',
    'monitor',
    'singleton:backup',
    'nexWriter',
    'invoices',
    'worker-1',
    'extractor',
    'pipeline',
    'http',
    'singleton:dropFolder',
    'intake',
    'database',
  ]);
  t.truthy(daemon.logs.find((e) => e.msg === 'daemon stopped'));
});

test('past the root supervisor limit the process exits non-zero for its service manager to restart', async (t) => {
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl,
    config: { supervisor: { intensity: 1, periodMs: 60_000 } },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const admin = await adminToken(databaseUrl);
  await daemon.request('/api/debug/crash/heartbeat', { method: 'POST', token: admin });
  await daemon.waitForLog(restarted('heartbeat'));
  await daemon.request('/api/debug/crash/heartbeat', { method: 'POST', token: admin });
  t.is(await daemon.waitForExit(), 1);
  const gaveUp = daemon.logs.find((e) => e.msg.startsWith('supervisor root gave up'));
  t.truthy(gaveUp);
  t.regex(gaveUp!.msg, /2 restarts within 60000 ms \(more than 1\)/);
  t.truthy(daemon.logs.find((e) => e.level === 60 && e.code === 'SUPERVISOR_GAVE_UP'));
  // Everything was stopped in order before the exit: the database last.
  const stopped = daemon.logs
    .filter((e) => e.msg.startsWith('actor ') && e.msg.endsWith(' stopped'))
    .map((e) => e.child);
  t.deepEqual(stopped.slice(-4), ['http', 'singleton:dropFolder', 'intake', 'database']);
  t.truthy(daemon.logs.find(started('database')));
});
