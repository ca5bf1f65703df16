import test from 'ava';
import { createActor, SimulatedClock } from 'xstate';
import { startSupervisor, worker, settings } from '../support/supervision.ts';
import type { Announcement } from '../../machines/supervisor.ts';

const startedOrder = (announcements: Announcement[]) =>
  announcements.flatMap((a) => (a.event === 'child_started' ? [a.child] : []));
const stoppedOrder = (announcements: Announcement[]) =>
  announcements.flatMap((a) => (a.event === 'child_stopped' ? [a.child] : []));

test('children start in list order, each only after the previous one reported ready', (t) => {
  const s = startSupervisor('one_for_one', [
    worker('a'),
    worker('b', 'permanent', { readyOnSignal: true }),
    worker('c'),
  ]);
  t.truthy(s.child('a'));
  t.truthy(s.child('b'));
  t.is(s.child('c'), undefined, 'c is not spawned while b has not reported ready');
  t.is(s.actor.getSnapshot().context.mode, 'starting');
  s.child('b')!.send({ type: 'go' });
  t.truthy(s.child('c'));
  t.deepEqual(startedOrder(s.announcements), ['a', 'b', 'c']);
  t.is(s.actor.getSnapshot().context.mode, 'running');
  t.is(s.events('supervisor_ready').length, 1);
});

test('a child that never reports ready fails after the start timeout and is retried', (t) => {
  const s = startSupervisor('one_for_one', [worker('a', 'permanent', { readyOnSignal: true }), worker('b')]);
  s.clock.increment(settings.startTimeoutMs);
  t.is((s.events('child_failed')[0] as { child: string }).child, 'a');
  t.regex((s.events('child_failed')[0] as { error: string }).error, /did not report ready within 5000 ms/);
  t.is(s.child('b'), undefined, 'b still waits for a');
  s.clock.increment(settings.backoff.minMs);
  s.child('a')!.send({ type: 'go' });
  t.truthy(s.child('b'));
  t.is(s.actor.getSnapshot().context.children.a?.restarts, 1);
});

test('one_for_one restarts only the failed child, after the backoff', (t) => {
  const s = startSupervisor('one_for_one', [worker('a'), worker('b'), worker('c')]);
  const [a, c] = [s.child('a'), s.child('c')];
  s.child('b')!.send({ type: 'debug.crash' });
  t.is(s.status('b'), 'backoff');
  s.clock.increment(settings.backoff.minMs - 1);
  t.is(s.status('b'), 'backoff');
  s.clock.increment(1);
  t.is(s.status('b'), 'running');
  t.is(s.child('a'), a);
  t.is(s.child('c'), c);
  t.deepEqual(stoppedOrder(s.announcements), []);
  t.is(s.actor.getSnapshot().context.children.b?.restarts, 1);
});

test('one_for_all stops the siblings in reverse order and starts everyone again in order', (t) => {
  const s = startSupervisor('one_for_all', [worker('a'), worker('b'), worker('c'), worker('d')]);
  const before = s.announcements.length;
  s.child('b')!.send({ type: 'debug.crash' });
  t.deepEqual(stoppedOrder(s.announcements), ['d', 'c', 'a']);
  s.clock.increment(settings.backoff.minMs);
  t.deepEqual(startedOrder(s.announcements.slice(before)), ['a', 'b', 'c', 'd']);
  for (const id of ['a', 'b', 'c', 'd']) t.is(s.status(id), 'running');
});

test('rest_for_one restarts the failed child and the ones started after it', (t) => {
  const s = startSupervisor('rest_for_one', [worker('a'), worker('b'), worker('c'), worker('d')]);
  const a = s.child('a');
  const before = s.announcements.length;
  s.child('b')!.send({ type: 'debug.crash' });
  t.deepEqual(stoppedOrder(s.announcements), ['d', 'c']);
  s.clock.increment(settings.backoff.minMs);
  t.deepEqual(startedOrder(s.announcements.slice(before)), ['b', 'c', 'd']);
  t.is(s.child('a'), a, 'a, started before b, is untouched');
});

test('restart types: permanent always, transient only after a failure, temporary never', (t) => {
  const s = startSupervisor('one_for_one', [
    worker('p', 'permanent'),
    worker('t', 'transient'),
    worker('x', 'temporary'),
  ]);
  s.child('p')!.send({ type: 'exit' });
  s.child('t')!.send({ type: 'exit' });
  s.child('x')!.send({ type: 'debug.crash' });
  s.clock.increment(60_000);
  t.is(s.status('p'), 'running', 'a permanent child is restarted after a normal exit');
  t.is(s.status('t'), 'stopped', 'a transient child that exits normally stays stopped');
  t.is(s.status('x'), 'failed', 'a temporary child is never restarted');

  const s2 = startSupervisor('one_for_one', [worker('t', 'transient')]);
  s2.child('t')!.send({ type: 'debug.crash' });
  s2.clock.increment(settings.backoff.minMs);
  t.is(s2.status('t'), 'running', 'a transient child is restarted after a failure');
});

test('a temporary sibling stopped by one_for_all is not started again', (t) => {
  const s = startSupervisor('one_for_all', [worker('a'), worker('tmp', 'temporary'), worker('c')]);
  s.child('a')!.send({ type: 'debug.crash' });
  s.clock.increment(settings.backoff.minMs);
  t.is(s.status('a'), 'running');
  t.is(s.status('c'), 'running');
  t.is(s.status('tmp'), 'stopped');
});

test('backoff doubles per consecutive failure up to the maximum, with jitter on top', (t) => {
  const s = startSupervisor('one_for_one', [worker('a')], { intensity: 100 });
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    s.child('a')!.send({ type: 'debug.crash' });
    const restarting = s.events('child_restarting').at(-1) as { delayMs: number };
    delays.push(restarting.delayMs);
    s.clock.increment(restarting.delayMs);
  }
  t.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);

  const jittered = startSupervisor('one_for_one', [worker('a')], {
    random: () => 0.5,
    backoff: { ...settings.backoff, jitter: 0.2 },
  });
  jittered.child('a')!.send({ type: 'debug.crash' });
  t.is((jittered.events('child_restarting')[0] as { delayMs: number }).delayMs, 1100);
});

test('backoff starts again from the minimum after a stable period', (t) => {
  const s = startSupervisor('one_for_one', [worker('a')], { intensity: 100 });
  s.child('a')!.send({ type: 'debug.crash' });
  s.clock.increment(1000);
  s.child('a')!.send({ type: 'debug.crash' });
  s.clock.increment(2000);
  s.clock.increment(settings.backoff.resetAfterMs);
  s.child('a')!.send({ type: 'debug.crash' });
  const delays = s.events('child_restarting').map((a) => (a as { delayMs: number }).delayMs);
  t.deepEqual(delays, [1000, 2000, 1000]);
});

test('more restarts than the intensity within the period: stop all in reverse, then fail', (t) => {
  const s = startSupervisor('one_for_one', [worker('a'), worker('b'), worker('c')], { intensity: 2, periodMs: 10_000 });
  for (let i = 0; i < 2; i++) {
    s.child('b')!.send({ type: 'debug.crash' });
    s.clock.increment(4_000);
  }
  t.is(s.status('b'), 'running');
  t.deepEqual(s.errors, []);
  s.child('b')!.send({ type: 'debug.crash' });
  t.deepEqual(stoppedOrder(s.announcements), ['c', 'a']);
  t.is(s.errors.length, 1);
  t.is((s.errors[0] as { code: string }).code, 'SUPERVISOR_GAVE_UP');
  t.regex((s.errors[0] as Error).message, /3 restarts within 10000 ms \(more than 2\); last: b failed/);
  t.is(s.actor.getSnapshot().status, 'error');
});

test('restarts spread wider than the period never exceed the intensity', (t) => {
  const s = startSupervisor('one_for_one', [worker('a')], { intensity: 2, periodMs: 10_000 });
  for (let i = 0; i < 10; i++) {
    s.child('a')!.send({ type: 'debug.crash' });
    s.clock.increment(10_000); // past the longest backoff (8 s) and outside the 10 s window
  }
  t.deepEqual(s.errors, []);
  t.is(s.status('a'), 'running');
  t.is(s.actor.getSnapshot().context.children.a?.restarts, 10);
});

test('a supervisor that gives up escalates to its parent, which restarts it by its own policy', (t) => {
  const clock = new SimulatedClock();
  const announcements: Announcement[] = [];
  const s = startSupervisor('one_for_one', [], {});
  const inner = {
    id: 'inner',
    logic: s.machine,
    restart: 'permanent' as const,
    input: {
      id: 'inner',
      strategy: 'one_for_one',
      children: [worker('w')],
      ...settings,
      intensity: 0,
      now: () => clock.now(),
      random: () => 0,
    },
  };
  const machine = s.machine.provide({ actions: { announce: (_a, p) => void announcements.push(p as Announcement) } });
  const root = createActor(machine, {
    clock,
    input: {
      id: 'root',
      strategy: 'one_for_one',
      children: [worker('first'), inner],
      ...settings,
      now: () => clock.now(),
      random: () => 0,
    },
  });
  const errors: unknown[] = [];
  root.subscribe({ error: (e) => void errors.push(e) });
  root.start();
  t.is(root.getSnapshot().context.children.inner?.status, 'running');
  root.system.get('w').send({ type: 'debug.crash' });
  t.is(root.getSnapshot().context.children.inner?.status, 'backoff');
  t.regex(root.getSnapshot().context.children.inner?.lastError ?? '', /Supervisor inner gave up/);
  clock.increment(settings.backoff.minMs);
  t.is(root.getSnapshot().context.children.inner?.status, 'running');
  t.is(root.getSnapshot().context.children.inner?.restarts, 1);
  t.truthy(root.system.get('w'), 'the inner supervisor started its child again');
  t.deepEqual(errors, []);
});

test('shutdown stops children in reverse order; one that ignores it is stopped by force after the timeout', (t) => {
  const s = startSupervisor('one_for_one', [worker('a'), worker('b', 'permanent', { ignoresStop: true }), worker('c')]);
  s.actor.send({ type: 'child.stop' });
  t.deepEqual(stoppedOrder(s.announcements), ['c'], 'b is waited for');
  t.is(s.status('a'), 'running', 'a is not asked before b is gone');
  s.clock.increment(settings.stopTimeoutMs);
  t.deepEqual(stoppedOrder(s.announcements), ['c', 'b', 'a']);
  const forced = s.events('child_stopped').map((a) => (a as { forced: boolean }).forced);
  t.deepEqual(forced, [false, true, false]);
  t.is(s.actor.getSnapshot().status, 'done');
  t.is(s.events('supervisor_stopped').length, 1);
});

test('a failure during shutdown is not restarted', (t) => {
  const s = startSupervisor('one_for_one', [worker('a'), worker('b', 'permanent', { ignoresStop: true })]);
  s.actor.send({ type: 'child.stop' });
  s.child('b')!.send({ type: 'debug.crash' });
  t.is(s.status('b'), 'failed');
  t.is(s.actor.getSnapshot().status, 'done');
  t.is(s.events('child_restarting').length, 0);
});

test('shutdown during start stops what was started and starts nothing more', (t) => {
  const s = startSupervisor('one_for_one', [
    worker('a'),
    worker('b', 'permanent', { readyOnSignal: true }),
    worker('c'),
  ]);
  s.actor.send({ type: 'child.stop' });
  t.deepEqual(stoppedOrder(s.announcements), ['b', 'a']);
  t.is(s.child('c'), undefined);
  t.is(s.actor.getSnapshot().status, 'done');
});
