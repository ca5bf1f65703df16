import test from 'ava';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { alerterMachine, retryDelay } from '../../machines/alerter.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the alerter dispatches every evaluateMs, backs off with doubling delays after a failed send, and says goodbye on stop', async (t) => {
  const clock = new SimulatedClock();
  clock.set(Date.parse('2026-12-07T08:00:00Z'));
  const calls: number[] = [];
  const failures: number[] = [];
  let failing = true;
  let farewells = 0;
  const enqueued: string[] = [];
  const machine = alerterMachine.provide({
    actors: {
      verify: fromPromise(async () => 'ok'),
      dispatch: fromPromise<number, { now: number }>(async ({ input }) => {
        calls.push(input.now);
        if (failing) throw new Error('421 service not available');
        return 1;
      }),
      farewell: fromPromise(async () => {
        farewells++;
      }),
    },
    actions: {
      enqueue: (_args, params) => enqueued.push(params.event.type),
      dispatchFailed: (_args, params) => failures.push(params.retryInMs),
    },
  });
  const actor = createActor(machine, { clock, input: { evaluateMs: 5_000, retry: { minMs: 5_000, maxMs: 20_000 } } });
  actor.start();
  await settle();
  const start = clock.now();
  const advance = async (ms: number) => {
    clock.increment(ms);
    await settle();
    await settle();
  };
  await advance(5_000); // first dispatch: fails
  await advance(5_000); // retry after 5 s: fails
  await advance(10_000); // after 10 s: fails
  await advance(20_000); // capped at 20 s: fails
  t.deepEqual(
    calls.map((at) => at - start),
    [5_000, 10_000, 20_000, 40_000],
  );
  t.deepEqual(failures, [5_000, 10_000, 20_000, 20_000]);
  failing = false;
  await advance(20_000); // succeeds
  await advance(5_000); // back to the evaluate rhythm
  t.deepEqual(
    calls.slice(4).map((at) => at - start),
    [60_000, 65_000],
  );
  actor.send({
    type: 'alert.notice',
    notice: { condition: 'x', component: 'y', severity: 'info', summary: 's', at: 0 },
  });
  actor.send({ type: 'alert.sync', source: 'monitor', firing: [], at: 0 });
  t.deepEqual(enqueued, ['alert.notice', 'alert.sync']);
  actor.send({ type: 'child.stop' });
  await settle();
  await settle();
  t.is(farewells, 1);
  t.is(actor.getSnapshot().status, 'done');
  t.is(retryDelay({ failures: 10, retry: { minMs: 5_000, maxMs: 300_000 } }), 300_000);
});
