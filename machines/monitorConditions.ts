import type { Severity } from './alertPolicy.ts';

/**
 * When a measured value becomes an alert: it must cross a threshold and stay there for the
 * rule's `forMs` (a CPU spike is not an incident), and it clears only once the value has
 * fallen `hysteresis` below the threshold it crossed (a disk at 89.9–90.1 % must not flap).
 */
export interface ThresholdRule {
  warning: number | null;
  critical: number | null;
  forMs: number;
  hysteresis: number;
}

export type Level = 'ok' | 'warning' | 'critical';

/** One measurement of one component: `disk` of `/var/lib/invoices`, `intake_stale` of `mailbox`. */
export interface Reading {
  condition: string;
  component: string;
  /** null: could not be measured this time (a timed-out call); the condition keeps its state. */
  value: number | null;
  unit: string;
  rule: ThresholdRule;
  /** Operator sentence for the alert and health output, given the value. */
  summary: string;
}

export interface ConditionState {
  level: Level;
  /** A higher level seen but not yet held for `forMs`. */
  pending: { level: Exclude<Level, 'ok'>; since: number } | null;
  value: number | null;
  unit: string;
  summary: string;
  since: number;
}

export type ConditionEvent =
  | { type: 'fire'; key: string; condition: string; component: string; severity: Severity; summary: string; at: number }
  | { type: 'resolve'; key: string; at: number };

const rank: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

export const conditionKey = (reading: { condition: string; component: string }) =>
  `${reading.condition}:${reading.component}`;

function rawLevel(value: number, rule: ThresholdRule): Level {
  if (rule.critical !== null && value > rule.critical) return 'critical';
  if (rule.warning !== null && value > rule.warning) return 'warning';
  return 'ok';
}

/** The level the value stands for, given where the condition stands now (hysteresis on the way down). */
function targetLevel(current: Level, value: number, rule: ThresholdRule): Level {
  const raw = rawLevel(value, rule);
  if (rank[raw] >= rank[current]) return raw;
  const crossed = current === 'critical' ? rule.critical : rule.warning;
  if (crossed !== null && value > crossed - rule.hysteresis) return current;
  // Down from critical: still above the warning line (less its hysteresis) stays a warning.
  if (current === 'critical' && rule.warning !== null && value > rule.warning - rule.hysteresis) return 'warning';
  return raw;
}

export function evaluateReadings(
  previous: Record<string, ConditionState>,
  readings: Reading[],
  now: number,
): { states: Record<string, ConditionState>; events: ConditionEvent[] } {
  const states = { ...previous };
  const events: ConditionEvent[] = [];
  for (const reading of readings) {
    const key = conditionKey(reading);
    const before = previous[key] ?? {
      level: 'ok' as Level,
      pending: null,
      value: null,
      unit: reading.unit,
      summary: reading.summary,
      since: now,
    };
    if (reading.value === null) {
      states[key] = { ...before, value: null, summary: reading.summary };
      continue;
    }
    const target = targetLevel(before.level, reading.value, reading.rule);
    const next: ConditionState = { ...before, value: reading.value, unit: reading.unit, summary: reading.summary };
    const fire = (level: Exclude<Level, 'ok'>) => {
      if (before.level !== 'ok') events.push({ type: 'resolve', key, at: now });
      events.push({ type: 'fire', key, ...pick(reading), severity: level, summary: reading.summary, at: now });
      next.level = level;
      next.pending = null;
      next.since = now;
    };
    if (target === before.level) {
      next.pending = null;
    } else if (rank[target] < rank[before.level]) {
      // Down: the hysteresis already held it; clearing (or easing to warning) needs no waiting.
      if (target === 'ok') {
        events.push({ type: 'resolve', key, at: now });
        next.level = 'ok';
        next.pending = null;
        next.since = now;
      } else fire(target);
    } else {
      const level = target as Exclude<Level, 'ok'>;
      // The wait counts from when it first crossed: warning → critical keeps the time already held.
      const since = before.pending ? before.pending.since : now;
      if (now - since >= reading.rule.forMs) fire(level);
      else next.pending = { level, since };
    }
    states[key] = next;
  }
  return { states, events };
}

const pick = (reading: Reading) => ({ condition: reading.condition, component: reading.component });

/** The severity of what currently fires, as health sees it: a critical condition fails, a warning warns. */
export function healthStatusOf(level: Level): 'pass' | 'warn' | 'fail' {
  return level === 'critical' ? 'fail' : level === 'warning' ? 'warn' : 'pass';
}
