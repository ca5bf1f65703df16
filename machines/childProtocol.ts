import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { LoaderError } from '../src/errors.ts';

/**
 * The contract between a supervisor and the actors it runs.
 *
 * - A child reports `child.ready` (with its id) once it has started; the supervisor starts
 *   the next child only then.
 * - The supervisor asks for a graceful stop with `child.stop`; the child finishes its work
 *   and reaches a final state (the supervisor sees `xstate.done.actor.<id>`), or is stopped
 *   by force once its shutdown budget (`ChildSpec.shutdown`, machines/shutdownBudget.ts) is spent.
 * - A child fails by erroring (a thrown action, an unhandled error of its own invoked actor);
 *   the supervisor sees `xstate.error.actor.<id>`.
 * - `debug.crash` makes a child fail on purpose (fault-injection endpoint, chaos tests).
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

export interface ChildSpec {
  /** Actor id and systemId: the names of the tree in docs/architecture.md (`database`, `heartbeat`, …). */
  id: string;
  logic: AnyActorLogic;
  restart: RestartType;
  input?: unknown;
  /** OTP's child type: a supervisor's input is a `SupervisorInput`, and its default budget is its subtree's. */
  type?: 'worker' | 'supervisor';
  /**
   * Ms this child may take to reach its final state after `child.stop` before it is stopped by
   * force. Default: `supervisor.stopTimeoutMs` for a worker, the sum of its children's budgets
   * (plus a margin) for a supervisor.
   */
  shutdown?: number;
}

export type ChildReadyEvent = { type: 'child.ready'; id: string };
export type ChildStopEvent = { type: 'child.stop' };
export type CrashEvent = { type: 'debug.crash'; reason?: string };
/** Sent by a child's own watcher when something it depends on broke beyond repair. */
export type ChildFailedEvent = { type: 'child.failed'; error: unknown };

/** Entry action for children: tells the parent (if any; a test may run a child alone) that this actor is up. */
export function reportReady({ self }: { self: AnyActorRef }): void {
  self._parent?.send({ type: 'child.ready', id: self.id } satisfies ChildReadyEvent);
}

/** Turns a fault-injection request or a watcher's failure report into an actor error. */
export function crash({ event, self }: { event: { type: string }; self: { id: string } }): never {
  if (event.type === 'child.failed') throw (event as ChildFailedEvent).error;
  const reason = (event as CrashEvent).reason ?? 'requested through the fault-injection endpoint';
  throw new LoaderError('FAULT_INJECTED', `Actor ${self.id} crashed on purpose: ${reason}.`);
}
