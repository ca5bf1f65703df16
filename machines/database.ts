import { assign, fromCallback, fromPromise, setup } from 'xstate';
import { errorMessage } from '../src/errors.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import { crash, reportReady } from './childProtocol.ts';

/**
 * The `database` actor: brings the database up (an embedded server, or a configured one),
 * migrates it, watches it, and reconnects with backoff when it is lost. An unreachable
 * database is a state (`reconnecting`), not a crash: the daemon reports health `fail` and keeps
 * trying, instead of crash-looping under its service manager.
 *
 * It reports ready after its first attempt, whatever the outcome, so that the HTTP server
 * (which answers health checks) starts even while the database is down.
 */
export interface DatabaseContext {
  reconnect: BackoffPolicy;
  failures: number;
  lastError: string | null;
  /** Backoff before the next attempt, decided once when the attempt failed. */
  retryInMs: number;
  announcedReady: boolean;
  random: () => number;
}

type DatabaseEvent =
  { type: 'child.stop' } | { type: 'debug.crash'; reason?: string } | { type: 'database.lost'; error: unknown };

export const databaseMachine = setup({
  types: {
    input: {} as { reconnect: BackoffPolicy; random?: () => number },
    context: {} as DatabaseContext,
    events: {} as DatabaseEvent,
  },
  actors: {
    /** Start or attach to the server, open the pool, run migrations. */
    connect: fromPromise<void>(async () => {}),
    /** Ping periodically; send `database.lost` when the server stops answering. */
    watch: fromCallback(() => {}),
    /** Close the pool; stop the embedded server if this process started it. */
    disconnect: fromPromise<void>(async () => {}),
  },
  actions: {
    /** Provided from src/: log lines with host/port/database, never the password. */
    announceConnected: () => {},
    announceFailure: () => {},
    reportReady,
    crash,
    markConnected: assign({ failures: 0, lastError: null, retryInMs: 0 }),
    markFailed: assign(({ context, event }) => ({
      failures: context.failures + 1,
      lastError: errorMessage((event as { error?: unknown }).error),
      retryInMs: backoffDelay(context.reconnect, context.failures + 1, context.random),
    })),
    reportReadyOnce: assign(({ context, self }) => {
      if (!context.announcedReady) reportReady({ self });
      return { announcedReady: true };
    }),
  },
  delays: {
    retryDelay: ({ context }) => context.retryInMs,
  },
}).createMachine({
  id: 'database',
  context: ({ input }) => ({
    reconnect: input.reconnect,
    failures: 0,
    lastError: null,
    retryInMs: 0,
    announcedReady: false,
    random: input.random ?? Math.random,
  }),
  initial: 'connecting',
  states: {
    connecting: {
      invoke: {
        src: 'connect',
        onDone: { target: 'connected', actions: ['markConnected', 'announceConnected', 'reportReadyOnce'] },
        onError: { target: 'reconnecting', actions: ['markFailed', 'announceFailure', 'reportReadyOnce'] },
      },
    },
    connected: {
      invoke: { src: 'watch' },
      on: { 'database.lost': { target: 'reconnecting', actions: ['markFailed', 'announceFailure'] } },
    },
    reconnecting: {
      after: { retryDelay: 'connecting' },
    },
    stopping: {
      invoke: { src: 'disconnect', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
  on: {
    'child.stop': '.stopping',
    'debug.crash': { actions: 'crash' },
  },
});
