import type { ChildSpec } from './childProtocol.ts';

/**
 * Pure decisions of a supervisor: which children to stop and start after a failure, and
 * whether the restart intensity is exceeded. The supervisor machine executes the plans as
 * a queue of operations, one at a time, so starts stay ordered and stops stay reversed.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

export type Operation =
  { kind: 'start'; id: string } | { kind: 'stop'; id: string } | { kind: 'backoff'; id: string; ms: number };

export type ChildStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'backoff';

export interface ChildRecord {
  id: string;
  restart: ChildSpec['restart'];
  status: ChildStatus;
  /** How many times the supervisor has started this child again after a failure. */
  restarts: number;
  consecutiveFailures: number;
  readyAt: number | null;
  since: number;
  lastError: string | null;
}

export function isAlive(child: ChildRecord | undefined): boolean {
  return !!child && (child.status === 'starting' || child.status === 'running' || child.status === 'stopping');
}

/** All live children, last started first: the order OTP stops them in. */
export function stopAllInReverse(specs: ChildSpec[], children: Record<string, ChildRecord>): Operation[] {
  return specs
    .filter((spec) => isAlive(children[spec.id]))
    .reverse()
    .map((spec) => ({ kind: 'stop', id: spec.id }));
}

/**
 * The operations that recover from the failure of `failedId`: stop the siblings the
 * strategy takes down (in reverse start order), wait the backoff, start them again in order.
 * Temporary children are never restarted, not even when a sibling's failure stopped them.
 */
export function planRestart(
  strategy: Strategy,
  specs: ChildSpec[],
  children: Record<string, ChildRecord>,
  failedId: string,
  delayMs: number,
): Operation[] {
  const failedIndex = specs.findIndex((spec) => spec.id === failedId);
  const affected =
    strategy === 'one_for_one'
      ? specs.filter((spec) => spec.id === failedId)
      : strategy === 'one_for_all'
        ? specs
        : specs.slice(failedIndex);
  const stops: Operation[] = affected
    .filter((spec) => spec.id !== failedId && isAlive(children[spec.id]))
    .reverse()
    .map((spec) => ({ kind: 'stop', id: spec.id }));
  const starts: Operation[] = affected
    .filter((spec) => spec.id === failedId || spec.restart !== 'temporary')
    .map((spec) => ({ kind: 'start', id: spec.id }));
  return [...stops, { kind: 'backoff', id: failedId, ms: delayMs }, ...starts];
}

/** Restart timestamps still inside the intensity window, with `now` added. */
export function recordRestart(log: number[], now: number, periodMs: number): number[] {
  return [...log.filter((at) => now - at < periodMs), now];
}

/** OTP: more than `intensity` restarts within the period and the supervisor gives up. */
export function intensityExceeded(log: number[], intensity: number): boolean {
  return log.length > intensity;
}

/** A failure that the child's restart type says should be followed by a restart. */
export function wantsRestart(restart: ChildSpec['restart'], abnormal: boolean): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return abnormal;
  return false;
}
