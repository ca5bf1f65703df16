import type { NoticeInput } from '../../machines/alerter.ts';
import type { Logger } from '../runtime/logger.ts';

/**
 * The events the daemon already logs with a code become alerts: every module keeps logging
 * as it does, and the alerter hears the warnings and errors that an operator must act on.
 * Supervision failures are also counted for the monitor's restarts-per-hour condition.
 */
type Level = 'warn' | 'error' | 'fatal';
type Fields = Record<string, unknown>;

const MAIL_NOTICES = new Set([
  'MAIL_SENDER_REJECTED',
  'MAIL_UNRECOGNIZED',
  'MAIL_UNPROCESSABLE',
  'MAIL_TOO_LARGE',
  'MAIL_ATTACHMENT_TOO_LARGE',
]);

/** The notice a log line stands for, or null when it is not one. */
export function noticeFromLog(level: Level, fields: Fields, message: string, at: number): NoticeInput | null {
  const code = typeof fields.code === 'string' ? fields.code : null;
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : '');
  const labels = { code: code ?? '', level };
  if (code === 'SUPERVISOR_GAVE_UP')
    return {
      condition: 'supervisor_escalation',
      component: text('supervisor'),
      severity: 'critical',
      summary: message,
      labels,
      at,
    };
  if (code && MAIL_NOTICES.has(code))
    return { condition: 'mail_notice', component: code, severity: 'warning', summary: message, labels, at };
  if (code === 'NEX_DEAD_LETTER')
    return { condition: 'dead_letter', component: text('invoice'), severity: 'warning', summary: message, labels, at };
  if (code === 'BACKUP_FAILED' || code === 'DRILL_FAILED')
    return {
      condition: code === 'BACKUP_FAILED' ? 'backup_failed' : 'drill_failed',
      component: text('job') || 'backup',
      severity: 'critical',
      summary: message,
      labels,
      at,
    };
  if (code === 'SIGN_IN_LOCKED')
    return {
      condition: 'sign_in_lockout',
      component: text('person'),
      severity: 'warning',
      summary: `${message}: ${text('person')} from ${text('ip')}, until ${text('lockedUntil')}`,
      labels,
      at,
    };
  if (level === 'fatal')
    return { condition: 'fatal', component: code ?? 'daemon', severity: 'critical', summary: message, labels, at };
  return null;
}

export interface LogSignals {
  onLine(level: Level, fields: Fields, message: string): void;
  restartsSince(ms: number): number;
  escalationsSince(ms: number): number;
}

/** Supervision failures per hour, from the supervisors' own log events. */
export function createLogSignals(notice: (n: NoticeInput) => void, now: () => number = Date.now): LogSignals {
  const failures: number[] = [];
  const escalations: number[] = [];
  const keep = (list: number[]) => {
    const cutoff = now() - 3_600_000;
    while (list.length && list[0]! < cutoff) list.shift();
  };
  return {
    onLine(level, fields, message) {
      const at = now();
      if (fields.code === 'ACTOR_FAILED') failures.push(at);
      if (fields.code === 'SUPERVISOR_GAVE_UP') escalations.push(at);
      keep(failures);
      keep(escalations);
      const n = noticeFromLog(level, fields, message, at);
      if (n) notice(n);
    },
    restartsSince: (ms) => failures.filter((t) => t >= ms).length,
    escalationsSince: (ms) => escalations.filter((t) => t >= ms).length,
  };
}

/**
 * A logger that reports its warn, error and fatal lines (with the bindings of its children)
 * to `onLine` and then logs them as usual. A failure of `onLine` never costs the log line.
 */
export function tapLogger(logger: Logger, onLine: LogSignals['onLine'], bindings: Fields = {}): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property === 'warn' || property === 'error' || property === 'fatal') {
        const method = target[property].bind(target);
        return (...args: unknown[]) => {
          try {
            const [first, second] = args;
            const fields = first && typeof first === 'object' && !(first instanceof Error) ? (first as Fields) : {};
            const message = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
            onLine(property, { ...bindings, ...fields }, message);
          } catch {
            // The tap is an observer: the line is logged whatever happens to it.
          }
          return (method as (...a: unknown[]) => void)(...args);
        };
      }
      if (property === 'child') {
        return (childBindings: Fields, options?: unknown) =>
          tapLogger(target.child(childBindings, options as never), onLine, { ...bindings, ...childBindings });
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
