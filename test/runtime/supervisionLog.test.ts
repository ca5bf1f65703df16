import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { supervisorMachine, type SupervisorInput } from '../../machines/supervisor.ts';
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
