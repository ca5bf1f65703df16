import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { createActor, fromPromise } from 'xstate';
import { supervisorMachine, type Announcement, type SupervisorInput } from '../../machines/supervisor.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { supervisionAnnouncer, warnOfBudgetOverrun } from '../../src/runtime/supervisionLog.ts';
import { settings, worker } from '../support/supervision.ts';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const tree = (shutdownLimitMs: number): SupervisorInput => ({
  id: 'root',
  strategy: 'one_for_one',
  ...settings,
  shutdownLimitMs,
  children: [
    worker('database'),
    {
      id: 'intake',
      logic: supervisorMachine,
      restart: 'permanent',
      type: 'supervisor',
      input: { id: 'intake', strategy: 'one_for_one', ...settings, shutdownLimitMs, children: [worker('mailbox')] },
    },
  ],
});

test('a tree whose shutdown budgets exceed shutdown.timeoutMs is reported at start with the numbers', async (t) => {
  const { logger, lines } = capturedLogger();
  warnOfBudgetOverrun(logger, tree(2_100));
  await new Promise((resolve) => setImmediate(resolve));
  t.is(lines.length, 1);
  t.like(lines[0], {
    level: 40,
    code: 'SHUTDOWN_BUDGET_CLAMPED',
    budget_ms: 2_000 + 2_200,
    limit_ms: 2_100,
    clamped: ['intake'],
    budgets: { database: 2_000, intake: 2_100 },
  });
  t.regex(String(lines[0]!.msg), /add up to 4200 ms, more than shutdown\.timeoutMs \(2100 ms\)/);

  const fits = capturedLogger();
  warnOfBudgetOverrun(fits.logger, tree(20_000));
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(fits.lines, []);
});

test('a forced stop names the budget the child had', async (t) => {
  const { logger, lines } = capturedLogger();
  const announce = supervisionAnnouncer(logger, createMetrics());
  announce(undefined, {
    event: 'child_stopped',
    supervisor: 'pipeline',
    child: 'invoices',
    forced: true,
    budgetMs: 5_000,
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.like(lines[0], { level: 40, child: 'invoices', budget_ms: 5_000 });
  t.regex(String(lines[0]!.msg), /did not stop within its shutdown budget of 5000 ms/);
});

test('a failed actor is logged with its error itself: type, stack and cause, not only the sentence', async (t) => {
  const announcements: Announcement[] = [];
  const failing = fromPromise<void>(async () => {
    throw new TypeError('cannot read the invoice', { cause: new Error('underlying') });
  });
  const root = createActor(
    supervisorMachine.provide({
      actions: { announce: (_args, announcement) => void announcements.push(announcement) },
    }),
    {
      input: {
        id: 'root',
        strategy: 'one_for_one',
        ...settings,
        children: [{ id: 'parser', logic: failing, restart: 'temporary' }],
      },
    },
  ).start();
  t.teardown(() => root.stop());
  await new Promise((resolve) => setTimeout(resolve, 50));
  const failed = announcements.find((a) => a.event === 'child_failed')!;
  t.true(
    failed.event === 'child_failed' && failed.cause instanceof TypeError,
    'the machine hands the error on, not a string',
  );

  const { logger, lines } = capturedLogger();
  supervisionAnnouncer(logger, createMetrics())(undefined, failed);
  await new Promise((resolve) => setImmediate(resolve));
  const err = lines[0]!.err as { type: string; message: string; stack: string; cause?: { message: string } };
  t.like(lines[0], { code: 'ACTOR_FAILED', child: 'parser' });
  t.is(err.type, 'TypeError');
  t.is(err.message, 'cannot read the invoice: underlying', "pino's serializer follows the cause chain");
  t.regex(err.stack, /supervisionLog\.test\.ts/);
  t.regex(err.stack, /caused by: Error: underlying/);
  t.is(lines[0]!.msg, 'actor parser failed: cannot read the invoice');
});
