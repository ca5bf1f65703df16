import { budgetOverrun } from '../../machines/shutdownBudget.ts';
import type { Announcement, SupervisorInput } from '../../machines/supervisor.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/**
 * The `announce` action of every supervisor: each start, failure, restart, stop and
 * escalation becomes a log event and a metric. Repeated failures are logged at error level
 * so that the alerter (which reads error events) mails the operator.
 */
export function supervisionAnnouncer(logger: Logger, metrics: Metrics) {
  const log = logger.child({ component: 'supervisor' });
  return (_args: unknown, a: Announcement): void => {
    switch (a.event) {
      case 'child_started':
        log.info(
          { supervisor: a.supervisor, child: a.child, restarts: a.restarts },
          a.restarts ? 'actor restarted' : 'actor started',
        );
        return;
      case 'child_failed':
        metrics.actorFailures.inc({ supervisor: a.supervisor, child: a.child });
        log[a.action === 'escalate' ? 'error' : 'warn'](
          { supervisor: a.supervisor, child: a.child, err: a.cause ?? a.error, then: a.action, code: 'ACTOR_FAILED' },
          `actor ${a.child} failed: ${a.error}`,
        );
        return;
      case 'child_restarting':
        metrics.actorRestarts.inc({ supervisor: a.supervisor, child: a.child });
        log.info(
          { supervisor: a.supervisor, child: a.child, delay_ms: a.delayMs },
          `restarting ${a.child} in ${a.delayMs} ms`,
        );
        return;
      case 'child_stopped':
        log[a.forced ? 'warn' : 'debug'](
          { supervisor: a.supervisor, child: a.child, forced: a.forced, budget_ms: a.budgetMs },
          a.forced
            ? `actor ${a.child} did not stop within its shutdown budget of ${a.budgetMs} ms and was stopped by force`
            : `actor ${a.child} stopped`,
        );
        return;
      case 'supervisor_ready':
        log.debug({ supervisor: a.supervisor }, 'supervisor started all its children');
        return;
      case 'supervisor_stopped':
        log.debug({ supervisor: a.supervisor }, 'supervisor stopped all its children');
        return;
      case 'supervisor_gave_up':
        metrics.supervisorEscalations.inc({ supervisor: a.supervisor });
        log.error(
          { supervisor: a.supervisor, reason: a.reason, code: 'SUPERVISOR_GAVE_UP' },
          `supervisor ${a.supervisor} gave up: ${a.reason}`,
        );
        return;
    }
  };
}

/**
 * At start: says so when the tree's shutdown budgets add up to more than `shutdown.timeoutMs`.
 * Each budget is capped at that limit, so a child that uses all of its budget may leave the
 * children stopped after it (the database last) to the process deadline.
 */
export function warnOfBudgetOverrun(logger: Logger, root: SupervisorInput): void {
  const overrun = budgetOverrun(root);
  if (!overrun) return;
  logger.child({ component: 'supervisor' }).warn(
    {
      budget_ms: overrun.budgetMs,
      limit_ms: overrun.limitMs,
      clamped: overrun.clamped,
      budgets: overrun.budgets,
      code: 'SHUTDOWN_BUDGET_CLAMPED',
    },
    `the actors' shutdown budgets add up to ${overrun.budgetMs} ms, more than shutdown.timeoutMs ` +
      `(${overrun.limitMs} ms): each budget is capped at ${overrun.limitMs} ms; raise shutdown.timeoutMs ` +
      `or lower supervisor.stopTimeoutMs so a slow stop cannot be cut off`,
  );
}
