import test from 'ava';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { mailboxMachine, type PassResult } from '../../machines/mailbox.ts';
import { stateLabel } from '../../src/runtime/inspectionBus.ts';

/**
 * The mailbox machine alone, with fake I/O and simulated time: reconnect backoff, IDLE news,
 * the poll, and retries of mail left unacknowledged.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const nothing: PassResult = { handled: 0, deferred: 0, deferredReason: null };

function harness(options: { connects?: () => void; passes?: () => PassResult } = {}) {
  const clock = new SimulatedClock();
  const counts = { connects: 0, passes: 0, disconnects: 0 };
  let send: ((event: { type: 'mailbox.changed' } | { type: 'mailbox.lost'; error: unknown }) => void) | undefined;
  let releasePass: (() => void) | undefined;
  let holdPasses = false;
  const machine = mailboxMachine.provide({
    actors: {
      connect: fromPromise<{ idle: boolean }>(async () => {
        counts.connects++;
        options.connects?.();
        return { idle: true };
      }),
      watch: fromCallback(({ sendBack }) => {
        send = sendBack;
        return () => (send = undefined);
      }),
      sync: fromPromise<PassResult>(async () => {
        counts.passes++;
        if (holdPasses) await new Promise<void>((resolve) => (releasePass = resolve));
        return options.passes?.() ?? nothing;
      }),
      disconnect: fromPromise<void>(async () => {
        counts.disconnects++;
      }),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { reconnect: { minMs: 1_000, maxMs: 8_000, jitter: 0 }, pollMs: 60_000 },
  }).start();
  return {
    clock,
    actor,
    counts,
    state: () => stateLabel(actor.getSnapshot().value),
    news: () => send?.({ type: 'mailbox.changed' }),
    drop: () => send?.({ type: 'mailbox.lost', error: new Error('connection closed') }),
    hold: (on: boolean) => (holdPasses = on),
    release: () => releasePass?.(),
  };
}

test('connects, runs a pass, then waits for IDLE news or the poll', async (t) => {
  const h = harness();
  await settle();
  t.is(h.state(), 'connected.listening');
  t.is(h.counts.passes, 1);
  t.true(h.actor.getSnapshot().context.idle);
  h.news();
  await settle();
  t.is(h.counts.passes, 2, 'IDLE news starts a pass at once');
  h.clock.increment(59_999);
  await settle();
  t.is(h.counts.passes, 2);
  h.clock.increment(1);
  await settle();
  t.is(h.counts.passes, 3, 'the poll starts a pass when no news came');
});

test('news during a pass runs one more pass right after it', async (t) => {
  const h = harness();
  await settle();
  h.hold(true);
  h.news();
  await settle();
  t.is(h.state(), 'connected.syncing');
  h.news();
  h.news();
  h.hold(false);
  h.release();
  await settle();
  await settle();
  t.is(h.counts.passes, 3, 'one follow-up pass for any amount of news');
  t.is(h.state(), 'connected.listening');
});

test('an unreachable server is retried with growing backoff; the first pass resets it', async (t) => {
  let up = false;
  const h = harness({
    connects: () => {
      if (!up) throw new Error('connection refused');
    },
  });
  await settle();
  t.is(h.state(), 'backoff');
  const context = () => h.actor.getSnapshot().context;
  t.is(context().retryInMs, 1_000);
  t.is(context().lastError, 'connection refused');
  t.is(h.actor.getSnapshot().status, 'active', 'a state, not a crash');
  for (const expected of [2_000, 4_000, 8_000, 8_000]) {
    h.clock.increment(context().retryInMs);
    await settle();
    t.is(context().retryInMs, expected);
  }
  t.is(h.counts.connects, 5);
  up = true;
  h.clock.increment(context().retryInMs);
  await settle();
  t.is(h.state(), 'connected.listening');
  t.is(context().failures, 0);
  t.is(context().lastError, null);
});

test('a lost connection goes to backoff, drops the client, and reconnects', async (t) => {
  const h = harness();
  await settle();
  h.drop();
  await settle();
  t.is(h.state(), 'backoff');
  t.is(h.counts.disconnects, 1);
  t.is(h.actor.getSnapshot().context.failures, 1);
  h.clock.increment(999);
  await settle();
  t.is(h.counts.connects, 1);
  h.clock.increment(1);
  await settle();
  t.is(h.counts.connects, 2);
  t.is(h.state(), 'connected.listening');
});

test('a connection that drops right after every login backs off further instead of looping at the minimum', async (t) => {
  const h = harness();
  await settle();
  h.hold(true);
  h.news();
  await settle();
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    h.drop(); // dropped during the pass: no pass completes, so the failures add up
    await settle();
    waits.push(h.actor.getSnapshot().context.retryInMs);
    h.clock.increment(waits.at(-1)!);
    await settle();
  }
  t.deepEqual(waits, [1_000, 2_000, 4_000]);
});

test('mail left unacknowledged is retried with backoff, never less often than the poll', async (t) => {
  let deferred = 3;
  const h = harness({
    passes: () => ({ handled: 0, deferred, deferredReason: deferred ? 'database down' : null }),
  });
  await settle();
  t.is(h.state(), 'connected.retrying');
  t.is(h.actor.getSnapshot().context.deferredReason, 'database down');
  for (const wait of [1_000, 2_000, 4_000, 8_000]) {
    h.clock.increment(wait - 1);
    await settle();
    const before = h.counts.passes;
    h.clock.increment(1);
    await settle();
    t.is(h.counts.passes, before + 1, `retried after ${wait} ms`);
  }
  deferred = 0;
  h.clock.increment(8_000);
  await settle();
  t.is(h.state(), 'connected.listening');
  t.is(h.actor.getSnapshot().context.deferred, 0);
});

test('child.stop reaches the final state from any state', async (t) => {
  for (const into of ['listening', 'backoff'] as const) {
    const h = harness();
    await settle();
    if (into === 'backoff') {
      h.drop();
      await settle();
    }
    h.actor.send({ type: 'child.stop' });
    await settle();
    t.is(h.actor.getSnapshot().status, 'done', into);
  }
});

test("a finished pass records its time as the mailbox's last success; a pass without a time keeps the last one", async (t) => {
  const stamps = ['2026-12-01T08:00:00.000Z', undefined];
  const h = harness({ passes: () => ({ ...nothing, finishedAt: stamps.shift() }) });
  await settle();
  t.is(h.actor.getSnapshot().context.lastPassAt, '2026-12-01T08:00:00.000Z');
  h.clock.increment(60_000);
  await settle();
  t.is(h.counts.passes, 2);
  t.is(h.actor.getSnapshot().context.lastPassAt, '2026-12-01T08:00:00.000Z');
});
