import test from 'ava';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { databaseMachine } from '../../machines/database.ts';
import { heartbeatMachine } from '../../machines/heartbeat.ts';

test('the heartbeat beats once per interval, on a simulated clock', (t) => {
  const clock = new SimulatedClock();
  let beats = 0;
  const actor = createActor(heartbeatMachine.provide({ actions: { beat: () => void beats++ } }), {
    clock,
    input: { intervalMs: 300_000 },
  }).start();
  clock.increment(299_999);
  t.is(beats, 0);
  clock.increment(1);
  t.is(beats, 1);
  // SimulatedClock moves `now` before firing, so a timer re-armed while firing counts from the
  // new time: advance one interval at a time, as real time would.
  for (let i = 0; i < 3; i++) clock.increment(300_000);
  t.is(beats, 4);
  actor.send({ type: 'child.stop' });
  t.is(actor.getSnapshot().status, 'done');
  clock.increment(300_000);
  t.is(beats, 4);
});

test('the database actor retries with growing backoff and reports ready after its first attempt', (t) => {
  const clock = new SimulatedClock();
  let attempts = 0;
  let up = false;
  let lost: ((error: Error) => void) | undefined;
  const machine = databaseMachine.provide({
    actors: {
      connect: fromPromise(async () => {
        attempts++;
        if (!up) throw new Error('connection refused');
      }),
      watch: fromCallback(({ sendBack }) => {
        lost = (error) => sendBack({ type: 'database.lost', error });
      }),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { reconnect: { minMs: 1_000, maxMs: 4_000, jitter: 0 } },
  }).start();
  return (async () => {
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    t.is(attempts, 1);
    t.is(actor.getSnapshot().value, 'reconnecting');
    t.is(actor.getSnapshot().context.retryInMs, 1_000);
    t.true(actor.getSnapshot().context.announcedReady);
    clock.increment(1_000);
    await settle();
    t.is(attempts, 2);
    t.is(actor.getSnapshot().context.retryInMs, 2_000);
    clock.increment(2_000);
    await settle();
    t.is(actor.getSnapshot().context.retryInMs, 4_000);
    clock.increment(4_000);
    await settle();
    t.is(actor.getSnapshot().context.retryInMs, 4_000, 'capped at the maximum');
    up = true;
    clock.increment(4_000);
    await settle();
    t.is(attempts, 5);
    t.is(actor.getSnapshot().value, 'connected');
    t.is(actor.getSnapshot().context.failures, 0);
    t.is(actor.getSnapshot().context.lastError, null);

    lost!(new Error('server closed the connection'));
    t.is(actor.getSnapshot().value, 'reconnecting');
    t.is(actor.getSnapshot().context.lastError, 'server closed the connection');
    t.is(actor.getSnapshot().context.retryInMs, 1_000, 'a fresh loss starts from the minimum again');
    clock.increment(1_000);
    await settle();
    t.is(actor.getSnapshot().value, 'connected');
    t.is(actor.getSnapshot().status, 'active', 'never an actor error');
  })();
});
