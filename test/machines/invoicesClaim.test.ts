import test from 'ava';
import { createActor, createMachine, fromPromise } from 'xstate';
import { claimAndRunMachine } from '../../machines/claimAndRun.ts';
import type { InvoiceStatus } from '../../src/invoice/status.ts';

/**
 * Issue 19: while the database is away a claim fails at once. A wake-up that arrived during
 * such a claim must not make the machine claim again immediately, forever: that loop ran in
 * microtasks only, starved the event loop, and the daemon hung (HTTP, logs, reconnects).
 */
test('a failing claim with a wake-up pending waits for the poll interval instead of claiming again at once', async (t) => {
  let claims = 0;
  const machine = claimAndRunMachine.provide({
    actors: {
      claim: fromPromise<Array<{ id: string; status: InvoiceStatus }>, { limit: number }>(async () => {
        claims++;
        if (claims > 50) actor.stop(); // without the fix: stop the runaway loop so the test can fail
        throw new Error('The database is not available');
      }),
    },
    delays: { pollInterval: 60_000 },
  });
  const actor = createActor(machine, {
    input: { concurrency: 4, lifecycle: createMachine({}) },
  });
  actor.start();
  actor.send({ type: 'invoices.wake' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.true(claims <= 3, `claimed ${claims} times without waiting`);
  t.is(actor.getSnapshot().value, 'idle');
  actor.stop();
});
