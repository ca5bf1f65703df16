import test from 'ava';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyActorRef } from 'xstate';
import { singletonMachine, type LeadershipNews } from '../../machines/singleton.ts';
import { stateLabel } from '../../src/runtime/inspectionBus.ts';
import { testWorker } from '../support/supervision.ts';

/**
 * The singleton wrapper alone, with a fake lock and simulated time: standing by and trying
 * again, taking over when the lock frees, stopping its child before competing again when the
 * lock is lost, and releasing the lock only after its child stopped.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const RETRY = 5_000;
const YIELD = 2_000;

/** A lock another instance may hold: `free()` lets the next attempt take it; `lose()` ends the held session. */
function harness(options: { heldElsewhere?: boolean; unreachable?: boolean; child?: Record<string, unknown> } = {}) {
  const clock = new SimulatedClock();
  const lock = {
    heldElsewhere: options.heldElsewhere ?? false,
    unreachable: options.unreachable ?? false,
    attempts: 0,
    releases: 0,
    holding: false,
  };
  const log: string[] = [];
  const news: LeadershipNews[] = [];
  let lose: ((error: Error) => void) | undefined;
  const machine = singletonMachine.provide({
    actors: {
      acquire: fromPromise<boolean>(async () => {
        lock.attempts++;
        if (lock.unreachable) throw new Error('connection refused');
        lock.holding = !lock.heldElsewhere;
        return lock.holding;
      }),
      hold: fromCallback(({ sendBack }) => {
        lose = (error) => sendBack({ type: 'lock.lost', error });
        return () => {
          lose = undefined;
          lock.holding = false;
          lock.releases++;
          log.push('released');
        };
      }),
      leader: testWorker,
    },
    actions: { announce: (_args, n) => void news.push(n) },
  });
  const actor = createActor(machine, {
    clock,
    input: { childId: 'mailbox', childInput: options.child, retryMs: RETRY, yieldMs: YIELD },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  const child = () => actor.getSnapshot().children.mailbox as AnyActorRef | undefined;
  return {
    clock,
    actor,
    lock,
    log,
    news,
    errors,
    child,
    state: () => stateLabel(actor.getSnapshot().value),
    lose: (error = new Error('terminating connection due to administrator command')) => lose?.(error),
    /** Watches the child end, so the order of its end and the lock's release can be checked. */
    recordChildEnd() {
      child()?.subscribe({ complete: () => log.push('child stopped'), error: () => log.push('child failed') });
    },
  };
}

test('takes a free lock at once and runs the child under its own id and systemId', async (t) => {
  const h = harness({ child: { stopTakesMs: 0 } });
  await settle();
  t.is(h.state(), 'leading.running');
  t.truthy(h.child(), 'the wrapped actor runs as the child `mailbox`');
  t.is(h.actor.system.get('mailbox'), h.child(), 'the rest of the daemon finds it by its systemId');
  t.is(h.actor.getSnapshot().context.acquisitions, 1);
  t.deepEqual(h.news, [{ event: 'leading', acquisitions: 1 }]);
});

test('stands by while another instance holds the lock, tries every retryMs, and takes over when it frees', async (t) => {
  const h = harness({ heldElsewhere: true });
  await settle();
  t.is(h.state(), 'standby.waiting');
  t.is(h.child(), undefined, 'no child on a standing-by instance');
  t.is(h.lock.attempts, 1);
  h.clock.increment(RETRY - 1);
  await settle();
  t.is(h.lock.attempts, 1, 'no attempt before retryMs');
  h.clock.increment(1);
  await settle();
  t.is(h.lock.attempts, 2);
  t.is(h.state(), 'standby.waiting');

  h.lock.heldElsewhere = false; // the holder died: PostgreSQL ended its session
  h.clock.increment(RETRY);
  await settle();
  t.is(h.state(), 'leading.running', 'the next attempt takes over');
  t.truthy(h.child());
  t.deepEqual(
    h.news.map((n) => n.event),
    ['held_elsewhere', 'held_elsewhere', 'leading'],
  );
});

test('an unreachable database is a wait, not a failure', async (t) => {
  const h = harness({ unreachable: true });
  await settle();
  t.is(h.state(), 'standby.waiting');
  t.is(h.actor.getSnapshot().context.lastError, 'connection refused');
  t.deepEqual(h.errors, []);
  h.lock.unreachable = false;
  h.clock.increment(RETRY);
  await settle();
  t.is(h.state(), 'leading.running');
  t.is(h.actor.getSnapshot().context.lastError, null);
});

test('a lost lock stops the child first, then the instance competes again (and may win at once)', async (t) => {
  const h = harness({ child: { stopTakesMs: 1_000 } });
  await settle();
  const first = h.child()!;
  h.recordChildEnd();
  h.lose();
  await settle();
  t.is(h.state(), 'leading.yielding', 'the child finishes what it has in hand');
  t.is(h.lock.attempts, 1, 'no new attempt while the child still runs');
  h.clock.increment(1_000);
  await settle();
  t.deepEqual(h.log, ['child stopped', 'released']);
  t.is(h.lock.attempts, 2, 'competes again right after');
  t.is(h.state(), 'leading.running');
  t.not(h.child(), first, 'a fresh child');
  t.is(h.actor.getSnapshot().context.acquisitions, 2);
  t.deepEqual(
    h.news.map((n) => n.event),
    ['leading', 'lost', 'released', 'leading'],
  );
});

test('a lost lock with another instance taking over leaves this one standing by', async (t) => {
  const h = harness({ child: { stopTakesMs: 0 } });
  await settle();
  h.lock.heldElsewhere = true;
  h.lose();
  await settle();
  t.is(h.state(), 'standby.waiting');
  t.is(h.child(), undefined);
});

test('a child that does not stop after a lost lock is stopped by force after yieldMs', async (t) => {
  const h = harness({ child: { ignoresStop: true } });
  await settle();
  h.lock.heldElsewhere = true;
  h.lose();
  await settle();
  t.is(h.state(), 'leading.yielding');
  h.clock.increment(YIELD - 1);
  await settle();
  t.is(h.state(), 'leading.yielding');
  t.truthy(h.child());
  h.clock.increment(1);
  await settle();
  t.is(h.child(), undefined, 'stopped by force');
  t.is(h.lock.releases, 1);
  t.is(h.lock.attempts, 2);
  t.is(h.state(), 'standby.waiting');
});

test('a graceful stop lets the child finish, and only then releases the lock', async (t) => {
  const h = harness({ child: { stopTakesMs: 1_500 } });
  await settle();
  h.recordChildEnd();
  h.actor.send({ type: 'child.stop' });
  await settle();
  t.is(h.state(), 'leading.resigning');
  t.is(h.lock.releases, 0, 'still held: no other instance may start while this child finishes');
  h.clock.increment(1_500);
  await settle();
  t.is(h.actor.getSnapshot().status, 'done');
  t.deepEqual(h.log, ['child stopped', 'released']);
});

test('a graceful stop while standing by ends at once', async (t) => {
  const h = harness({ heldElsewhere: true });
  await settle();
  h.actor.send({ type: 'child.stop' });
  await settle();
  t.is(h.actor.getSnapshot().status, 'done');
  t.is(h.lock.releases, 0, 'nothing was held');
});

test("the child's failure is the wrapper's (its supervisor restarts it), and the lock is released", async (t) => {
  const h = harness();
  await settle();
  const child = h.child()!;
  child.send({ type: 'debug.crash', reason: 'test' });
  await settle();
  t.is(h.actor.getSnapshot().status, 'error');
  t.regex(String((h.errors[0] as Error)?.message), /crashed on purpose: test/);
  t.is(child.getSnapshot().status, 'error');
  t.is(h.lock.releases, 1);
});

test('a child that exits on its own while leading fails the wrapper', async (t) => {
  const h = harness();
  await settle();
  h.child()!.send({ type: 'exit' });
  await settle();
  t.is(h.actor.getSnapshot().status, 'error');
  t.regex(String((h.errors[0] as Error)?.message), /mailbox exited while it held the singleton lock/);
  t.is(h.lock.releases, 1);
});

test('a crash of the wrapper itself stops its child and releases the lock before it fails', async (t) => {
  const h = harness();
  await settle();
  const child = h.child()!;
  h.actor.send({ type: 'debug.crash', reason: 'chaos' });
  await settle();
  t.is(h.actor.getSnapshot().status, 'error');
  t.regex(String((h.errors[0] as Error)?.message), /crashed on purpose: chaos/);
  t.is(child.getSnapshot().status, 'stopped', 'no orphaned child keeps running');
  t.is(h.lock.releases, 1);
});
