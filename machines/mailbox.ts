import { assign, fromCallback, fromPromise, setup } from 'xstate';
import { errorMessage } from '../src/errors.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import { crash, reportReady } from './childProtocol.ts';

/**
 * The `mailbox` actor: keeps one IMAP connection, and reads new mail in passes.
 *
 *   connecting → connected.syncing ⇄ connected.listening (IDLE news or the poll)
 *                      │          └→ connected.retrying (mail left unacknowledged: database down)
 *                      └─ lost / failed → backoff → connecting …
 *
 * A pass (`sync`) stores each new mail's documents and only then moves or marks the mail; a
 * mail it could not store stays on the server, unacknowledged, and the pass reports it as
 * deferred, so another pass follows with backoff. An unreachable server or a dropped
 * connection is a state (`backoff`, visible in inspect and the heartbeat), not a crash: the
 * actor reconnects with exponential backoff.
 */
export interface MailboxContext {
  reconnect: BackoffPolicy;
  pollMs: number;
  random: () => number;
  /** Connection failures in a row; reset by the first pass that completes. */
  failures: number;
  lastError: string | null;
  /** Backoff before the next connection attempt, decided once when the attempt failed. */
  retryInMs: number;
  /** The server announces new mail (IMAP IDLE); false: only the poll finds it. */
  idle: boolean;
  /** News (a new mail) arrived while a pass ran: one more pass follows at once. */
  changed: boolean;
  /** Mails the last pass had to leave unacknowledged, and why. */
  deferred: number;
  deferredReason: string | null;
  /** Passes in a row that left mail unacknowledged (their retry backs off). */
  deferredPasses: number;
  passes: number;
  /** When the last pass over the mailbox finished (ISO): the channel's last success, for the monitor. */
  lastPassAt: string | null;
}

export interface PassResult {
  handled: number;
  deferred: number;
  deferredReason: string | null;
  /** Stamped by the I/O that ran the pass (the machine reads no clock). */
  finishedAt?: string;
}

type MailboxEvent =
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string }
  | { type: 'mailbox.changed' }
  | { type: 'mailbox.lost'; error: unknown };

/** A failure (a connection refused or lost, a pass cut off), for the action that counts it. */
const markFailed = {
  type: 'markFailed',
  params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }),
} as const;
/** A finished pass's result, for the action that records it. */
const recordPass = {
  type: 'recordPass',
  params: ({ event }: { event: { output: PassResult } }) => event.output,
} as const;

export const mailboxMachine = setup({
  types: {
    input: {} as { reconnect: BackoffPolicy; pollMs: number; random?: () => number },
    context: {} as MailboxContext,
    events: {} as MailboxEvent,
  },
  actors: {
    /** Connect, log in, select the mailbox. Rejects with a sentence naming server and cause. */
    connect: fromPromise<{ idle: boolean }>(async () => ({ idle: false })),
    /** While connected: `mailbox.changed` on IDLE news, `mailbox.lost` when the connection ends. */
    watch: fromCallback(() => {}),
    /** One pass over the new mail. Rejects only when the connection broke. */
    sync: fromPromise<PassResult>(async () => ({ handled: 0, deferred: 0, deferredReason: null })),
    /** Drop a connection that broke (or half-broke) before the next attempt. */
    disconnect: fromPromise<void>(async () => {}),
    /** Graceful stop: let the mail being handled finish, then log out. */
    stop: fromPromise<void>(async () => {}),
  },
  actions: {
    /** Provided from src/: log lines naming the server, never the password. */
    announceConnected: () => {},
    announceFailure: () => {},
    announcePass: () => {},
    reportReady,
    crash,
    markFailed: assign(({ context }, failure: { error: unknown }) => ({
      failures: context.failures + 1,
      lastError: errorMessage(failure.error),
      retryInMs: backoffDelay(context.reconnect, context.failures + 1, context.random),
    })),
    markConnected: assign((_, connected: { idle: boolean }) => ({ idle: connected.idle })),
    markChanged: assign({ changed: true }),
    startPass: assign({ changed: false }),
    recordPass: assign(({ context }, result: PassResult) => {
      return {
        failures: 0,
        lastError: null,
        retryInMs: 0,
        passes: context.passes + 1,
        lastPassAt: result.finishedAt ?? context.lastPassAt,
        deferred: result.deferred,
        deferredReason: result.deferredReason,
        deferredPasses: result.deferred > 0 ? context.deferredPasses + 1 : 0,
      };
    }),
  },
  guards: {
    changedMeanwhile: ({ context }) => context.changed,
    leftMailUnacknowledged: (_, result: PassResult) => result.deferred > 0,
  },
  delays: {
    retryDelay: ({ context }) => context.retryInMs,
    pollInterval: ({ context }) => context.pollMs,
    // Mail waiting for the database is retried with backoff, but never less often than the poll.
    deferredRetry: ({ context }) =>
      Math.min(context.pollMs, backoffDelay(context.reconnect, context.deferredPasses, context.random)),
  },
}).createMachine({
  id: 'mailbox',
  context: ({ input }) => ({
    reconnect: input.reconnect,
    pollMs: input.pollMs,
    random: input.random ?? Math.random,
    failures: 0,
    lastError: null,
    retryInMs: 0,
    idle: false,
    changed: false,
    deferred: 0,
    deferredReason: null,
    deferredPasses: 0,
    passes: 0,
    lastPassAt: null,
  }),
  // Ready at once: nothing waits for mail, and a server that does not answer must not hold up
  // the daemon's start (the connect timeout can be longer than the supervisor's start timeout).
  entry: 'reportReady',
  initial: 'connecting',
  states: {
    connecting: {
      invoke: {
        src: 'connect',
        onDone: {
          target: 'connected',
          actions: [{ type: 'markConnected', params: ({ event }) => event.output }, 'announceConnected'],
        },
        onError: { target: 'backoff', actions: [markFailed, 'announceFailure'] },
      },
    },
    connected: {
      invoke: { src: 'watch' },
      on: { 'mailbox.lost': { target: 'backoff', actions: [markFailed, 'announceFailure'] } },
      initial: 'syncing',
      states: {
        syncing: {
          entry: 'startPass',
          invoke: {
            src: 'sync',
            onDone: [
              { guard: 'changedMeanwhile', target: 'syncing', reenter: true, actions: [recordPass, 'announcePass'] },
              {
                guard: { type: 'leftMailUnacknowledged', params: ({ event }) => event.output },
                target: 'retrying',
                actions: [recordPass, 'announcePass'],
              },
              { target: 'listening', actions: [recordPass, 'announcePass'] },
            ],
            onError: { target: '#mailbox.backoff', actions: [markFailed, 'announceFailure'] },
          },
          on: { 'mailbox.changed': { actions: 'markChanged' } },
        },
        listening: {
          after: { pollInterval: 'syncing' },
          on: { 'mailbox.changed': 'syncing' },
        },
        retrying: {
          after: { deferredRetry: 'syncing' },
          on: { 'mailbox.changed': 'syncing' },
        },
      },
    },
    backoff: {
      invoke: { src: 'disconnect', onError: { actions: [] } },
      after: { retryDelay: 'connecting' },
    },
    stopping: {
      invoke: { src: 'stop', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
  on: {
    'child.stop': '.stopping',
    'debug.crash': { actions: 'crash' },
  },
});
