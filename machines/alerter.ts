import { assign, fromPromise, setup } from 'xstate';
import { crash, reportReady } from './childProtocol.ts';
import type { AlertSyncEvent } from './monitor.ts';
import { systemNow as nowOf } from './systemClock.ts';
import type { Severity } from './alertPolicy.ts';

/**
 * The `alerter` actor owns the rhythm of alert mail: every `evaluateMs` it runs the provided
 * `dispatch` (src/alerts: store what arrived, ask alertPolicy.ts what is due, send it, mark it),
 * and when a send fails it tries again with a doubling delay instead of every tick. On stop it
 * runs `farewell` once (the shutdown notice, not held back by the group wait). What arrives
 * (the monitor's conditions, notices) is handed to the provided `enqueue`, which keeps it
 * beyond a restart of this actor until dispatch has stored it.
 */
export interface NoticeInput {
  condition: string;
  component: string;
  severity: Severity;
  summary: string;
  labels?: Record<string, string>;
  at: number;
}

export type AlertNoticeEvent = { type: 'alert.notice'; notice: NoticeInput };

export type AlerterEvent =
  | AlertSyncEvent
  | AlertNoticeEvent
  | { type: 'alerts.wake' }
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string };

export interface AlerterInput {
  evaluateMs: number;
  retry: { minMs: number; maxMs: number };
}

export interface AlerterContext extends AlerterInput {
  failures: number;
  dispatches: number;
}

export function retryDelay(context: Pick<AlerterContext, 'failures' | 'retry'>): number {
  return Math.min(context.retry.maxMs, context.retry.minMs * 2 ** Math.max(0, context.failures - 1));
}

export const alerterMachine = setup({
  types: {
    input: {} as AlerterInput,
    context: {} as AlerterContext,
    events: {} as AlerterEvent,
  },
  actors: {
    /** Checks the SMTP connection and login once at start (health shows the outcome); never fails the actor. */
    verify: fromPromise<string>(async () => ''),
    /** Stores what was enqueued, sends what is due; rejects when a mail could not be sent. */
    dispatch: fromPromise<number, { now: number }>(async () => 0),
    /** The shutdown notice, sent at once; bounded by the supervisor's stop timeout. */
    farewell: fromPromise<void>(async () => {}),
  },
  actions: {
    reportReady,
    crash,
    enqueue: (_args, _params: { event: AlertSyncEvent | AlertNoticeEvent }) => {},
    /** Provided from src/: logs the failed send and the next attempt. */
    dispatchFailed: (_args, _params: { error: unknown; failures: number; retryInMs: number }) => {},
  },
  delays: {
    evaluate: ({ context }) => context.evaluateMs,
    retry: ({ context }) => retryDelay(context),
  },
}).createMachine({
  id: 'alerter',
  context: ({ input }) => ({ ...input, failures: 0, dispatches: 0 }),
  entry: 'reportReady',
  initial: 'verifying',
  states: {
    verifying: {
      invoke: { src: 'verify', onDone: 'idle', onError: 'idle' },
    },
    idle: {
      after: { evaluate: 'dispatching' },
      on: { 'alerts.wake': 'dispatching' },
    },
    dispatching: {
      invoke: {
        src: 'dispatch',
        input: ({ self }) => ({ now: nowOf(self.system) }),
        onDone: {
          target: 'idle',
          actions: assign({ failures: 0, dispatches: ({ context }) => context.dispatches + 1 }),
        },
        onError: {
          target: 'backoff',
          actions: [
            assign({ failures: ({ context }) => context.failures + 1 }),
            {
              type: 'dispatchFailed',
              params: ({ context, event }) => ({
                error: event.error,
                failures: context.failures,
                retryInMs: retryDelay(context),
              }),
            },
          ],
        },
      },
    },
    backoff: {
      after: { retry: 'dispatching' },
      on: { 'alerts.wake': 'dispatching' },
    },
    farewell: {
      invoke: { src: 'farewell', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
  on: {
    'alert.sync': { actions: { type: 'enqueue', params: ({ event }) => ({ event }) } },
    'alert.notice': { actions: { type: 'enqueue', params: ({ event }) => ({ event }) } },
    'child.stop': '.farewell',
    'debug.crash': { actions: 'crash' },
  },
});
