import { errorMessage } from '../src/errors.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
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

/* The supervisor's state and its decisions after a failure: what machines/supervisor.ts runs. */

export interface SupervisorSettings {
  intensity: number;
  periodMs: number;
  startTimeoutMs: number;
  /** A worker child's default shutdown budget. */
  stopTimeoutMs: number;
  /** `shutdown.timeoutMs`: no child's budget is longer. */
  shutdownLimitMs?: number;
  backoff: BackoffPolicy & { resetAfterMs: number };
}

export interface SupervisorInput extends SupervisorSettings {
  id: string;
  strategy: Strategy;
  children: ChildSpec[];
  now?: () => number;
  random?: () => number;
}

export type Mode = 'starting' | 'running' | 'stopping' | 'escalating';

export interface SupervisorContext {
  id: string;
  strategy: Strategy;
  specs: ChildSpec[];
  children: Record<string, ChildRecord>;
  /** Ms each child may take to stop gracefully, by id: fixed at start, read by the `stopTimeout` delay. */
  shutdownBudgets: Record<string, number>;
  queue: Operation[];
  restartLog: number[];
  mode: Mode;
  giveUpReason: string | null;
  settings: SupervisorSettings;
  now: () => number;
  random: () => number;
}

const ERROR_PREFIX = 'xstate.error.actor.';
export const DONE_PREFIX = 'xstate.done.actor.';

/** The child an event is about: an actor's error or done event, or an event naming it. */
export function childIdOf(event: { type: string }): string {
  if (event.type.startsWith(ERROR_PREFIX)) return event.type.slice(ERROR_PREFIX.length);
  if (event.type.startsWith(DONE_PREFIX)) return event.type.slice(DONE_PREFIX.length);
  return (event as { id?: string }).id ?? '';
}

export interface Failure {
  id: string;
  abnormal: boolean;
  error: string;
  /** The error itself, for the log line's stack (undefined for a normal exit or a start timeout). */
  cause?: unknown;
}

/** What failed, from a child's error or done event, or from the start timeout of the head. */
export function failureOf(context: SupervisorContext, event: { type: string; error?: unknown }): Failure {
  if (event.type.startsWith(ERROR_PREFIX))
    return {
      id: childIdOf(event),
      abnormal: true,
      error: errorMessage(event.error),
      cause: event.error,
    };
  if (event.type.startsWith(DONE_PREFIX)) return { id: childIdOf(event), abnormal: false, error: 'exited normally' };
  return {
    id: context.queue[0]?.id ?? '',
    abnormal: true,
    error: `did not report ready within ${context.settings.startTimeoutMs} ms`,
  };
}

export function withChild(context: SupervisorContext, id: string, patch: Partial<ChildRecord>) {
  const child = context.children[id];
  if (!child) return context.children;
  return {
    ...context.children,
    [id]: { ...child, since: context.now(), ...patch },
  };
}

/** Does this failure change what the executor is doing right now? */
export function interruptsHead(context: SupervisorContext, { id, abnormal }: Failure): boolean {
  const head = context.queue[0];
  if (head && head.kind !== 'backoff' && head.id === id) return true;
  return decideFailure(context, id, abnormal).escalate;
}

export interface FailureDecision {
  restart: boolean;
  escalate: boolean;
  restartLog: number[];
}

export function decideFailure(context: SupervisorContext, id: string, abnormal: boolean): FailureDecision {
  const child = context.children[id];
  const restart =
    !!child &&
    (context.mode === 'starting' || context.mode === 'running') &&
    child.status !== 'stopping' &&
    wantsRestart(child.restart, abnormal);
  if (!restart) return { restart: false, escalate: false, restartLog: context.restartLog };
  const restartLog = recordRestart(context.restartLog, context.now(), context.settings.periodMs);
  return {
    restart: true,
    escalate: intensityExceeded(restartLog, context.settings.intensity),
    restartLog,
  };
}

/** The supervisor's context after a child failed or exited: records, restart log, queue, mode. */
export function afterFailure(
  context: SupervisorContext,
  failure: Failure,
  decision: FailureDecision,
): Partial<SupervisorContext> {
  const { id, abnormal, error } = failure;
  const head = context.queue[0];
  const failedIsHead = !!head && head.kind !== 'backoff' && head.id === id;
  const rest = failedIsHead ? context.queue.slice(1) : context.queue;
  const children = withChild(context, id, { status: abnormal ? 'failed' : 'stopped', lastError: error });

  if (decision.escalate) {
    const giveUpReason =
      `${decision.restartLog.length} restarts within ${context.settings.periodMs} ms ` +
      `(more than ${context.settings.intensity}); last: ${id} ${abnormal ? 'failed' : 'exited'}: ${error}`;
    return {
      children,
      restartLog: decision.restartLog,
      mode: 'escalating',
      giveUpReason,
      queue: stopAllInReverse(context.specs, children),
    };
  }
  if (!decision.restart) return { children, queue: rest };

  const child = context.children[id]!;
  const stable = child.readyAt !== null && context.now() - child.readyAt >= context.settings.backoff.resetAfterMs;
  const failures = (stable ? 0 : child.consecutiveFailures) + 1;
  const delayMs = backoffDelay(context.settings.backoff, failures, context.random);
  const plan = planRestart(context.strategy, context.specs, children, id, delayMs);
  return {
    children: { ...children, [id]: { ...children[id]!, consecutiveFailures: failures } },
    restartLog: decision.restartLog,
    // A child that failed while being started keeps its place: later siblings wait for it.
    queue: failedIsHead ? [...plan, ...rest] : [...context.queue, ...plan],
  };
}
