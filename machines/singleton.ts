import { assign, fromCallback, fromPromise, setup, type AnyActorLogic } from 'xstate';
import { errorMessage, LoaderError } from '../src/errors.ts';
import { reportReady } from './childProtocol.ts';

/**
 * A singleton: an actor that must run on one daemon at a time when several share a database
 * (the mailbox, the backups, alert mail and reports, a shared drop folder). Every instance
 * runs this wrapper in the tree; the one whose `acquire` takes the lock (a PostgreSQL advisory
 * lock, src/db/advisoryLock.ts) starts the wrapped actor, `leader`, as its child under the
 * child's own id; the others stand by and try again every `retryMs`.
 *
 *   standby.acquiring ⇄ standby.waiting ──(acquired)──→ leading.running
 *   leading.running ──lock.lost──→ leading.yielding ──(child stopped, or yieldMs)──→ standby.acquiring
 *   leading.running ──child.stop──→ leading.resigning ──(child stopped)──→ stopped
 *
 * The lock is released when `leading` is left, whatever the reason (the `hold` actor's end). A
 * lost lock means this instance may no longer be the only one: it stops its child first and
 * competes again afterwards. A failure of the child is this actor's failure, so its supervisor
 * restarts the wrapper, which competes again; it fails only from `failed`, after leaving
 * `leading` stopped the child and released the lock (XState does not stop the children of an
 * actor that throws while transitioning: they would run on, orphaned, with the lock held).
 */
export interface SingletonInput {
  /** The wrapped actor's id and systemId (`mailbox`, `backup`, …): the rest of the daemon finds it by this. */
  childId: string;
  childInput?: unknown;
  /** How often a standby instance tries to take the lock. */
  retryMs: number;
  /** How long the child may take to stop after the lock was lost, before it is stopped by force. */
  yieldMs: number;
}

export interface SingletonContext extends SingletonInput {
  /** How many times this instance took the lock. */
  acquisitions: number;
  lastError: string | null;
  /** Why this actor is failing (set on the way to `failed`, thrown from there). */
  failure: unknown;
}

/** What the wrapper tells src/ (log lines, the alerter's role): taken, lost, held by another instance, unreachable. */
export type LeadershipNews =
  | { event: 'leading'; acquisitions: number }
  | { event: 'lost'; error: unknown }
  | { event: 'held_elsewhere' }
  | { event: 'acquire_failed'; error: unknown }
  | { event: 'released' };

type SingletonEvent =
  | { type: 'lock.lost'; error: unknown }
  | { type: 'child.ready'; id: string }
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string }
  | { type: 'singleton.fail' }
  | { type: `xstate.done.actor.${string}`; output?: unknown }
  | { type: `xstate.error.actor.${string}`; error: unknown };

const isLeader = ({ context, event }: { context: SingletonContext; event: { type: string } }) =>
  event.type === `xstate.done.actor.${context.childId}` || event.type === `xstate.error.actor.${context.childId}`;

const singleton = setup({
  types: {
    input: {} as SingletonInput,
    context: {} as SingletonContext,
    events: {} as SingletonEvent,
  },
  actors: {
    /** Tries the lock once: true when this instance holds it now; rejects when the database is away. */
    acquire: fromPromise<boolean>(async () => false),
    /** While leading: sends `lock.lost` when the lock's session ends; its end releases the lock. */
    hold: fromCallback(() => {}),
    /** The wrapped actor, provided from src/ (the mailbox machine, the backup machine, …). */
    leader: {} as AnyActorLogic,
  },
  actions: {
    reportReady,
    /** Provided from src/: logs, and tells whoever cares (the alerter's mail role). */
    announce: (_args, _news: LeadershipNews) => {},
    noteError: assign({ lastError: (_args, params: { error: unknown }) => errorMessage(params.error) }),
    countAcquisition: assign({ acquisitions: ({ context }) => context.acquisitions + 1, lastError: null }),
    askLeaderToStop: ({ context, self }) => {
      const child = self.getSnapshot().children[context.childId];
      child?.send({ type: 'child.stop' });
    },
    /** The child failed, or exited when nobody asked it to: this actor fails once its child and lock are gone. */
    noteFailure: assign({ failure: (_args, params: { failure: unknown }) => params.failure }),
    /** A separate event: the stops of the transition into `failed` run before it is processed. */
    failNext: ({ self }) => self.send({ type: 'singleton.fail' }),
    fail: ({ context }) => {
      throw context.failure;
    },
  },
  guards: {
    acquired: (_args, params: { acquired: boolean }) => params.acquired,
    isLeader,
  },
  delays: {
    retry: ({ context }) => context.retryMs,
    yield: ({ context }) => context.yieldMs,
  },
});

const leaderExited = (childId: string) =>
  new LoaderError('SINGLETON_CHILD_EXITED', `${childId} exited while it held the singleton lock.`);

const crashed = (id: string, reason: string | undefined) =>
  new LoaderError(
    'FAULT_INJECTED',
    `Actor ${id} crashed on purpose: ${reason ?? 'requested through the fault-injection endpoint'}.`,
  );

const startLeader = singleton.enqueueActions(({ context, enqueue }) => {
  enqueue.spawnChild('leader', { id: context.childId, systemId: context.childId, input: context.childInput });
});

const stopLeader = singleton.enqueueActions(({ context, enqueue }) => {
  enqueue.stopChild(context.childId);
});

export const singletonMachine = singleton.createMachine({
  id: 'singleton',
  context: ({ input }) => ({ ...input, acquisitions: 0, lastError: null, failure: null }),
  // Standing by is running: the supervisor starts the next sibling at once.
  entry: 'reportReady',
  initial: 'standby',
  states: {
    standby: {
      initial: 'acquiring',
      states: {
        acquiring: {
          invoke: {
            src: 'acquire',
            onDone: [
              {
                guard: { type: 'acquired', params: ({ event }) => ({ acquired: event.output }) },
                target: '#singleton.leading',
              },
              { target: 'waiting', actions: { type: 'announce', params: { event: 'held_elsewhere' } } },
            ],
            onError: {
              target: 'waiting',
              actions: [
                { type: 'noteError', params: ({ event }) => ({ error: event.error }) },
                { type: 'announce', params: ({ event }) => ({ event: 'acquire_failed', error: event.error }) },
              ],
            },
          },
        },
        waiting: { after: { retry: 'acquiring' } },
      },
      on: { 'child.stop': '#singleton.stopped' },
    },
    leading: {
      entry: [
        'countAcquisition',
        startLeader,
        { type: 'announce', params: ({ context }) => ({ event: 'leading', acquisitions: context.acquisitions }) },
      ],
      exit: [stopLeader, { type: 'announce', params: { event: 'released' } }],
      invoke: { src: 'hold' },
      initial: 'running',
      states: {
        running: {
          on: {
            'lock.lost': {
              target: 'yielding',
              actions: [
                { type: 'noteError', params: ({ event }) => ({ error: event.error }) },
                { type: 'announce', params: ({ event }) => ({ event: 'lost', error: event.error }) },
                'askLeaderToStop',
              ],
            },
            'child.stop': { target: 'resigning', actions: 'askLeaderToStop' },
          },
        },
        yielding: {
          after: { yield: '#singleton.standby' },
          on: {
            'xstate.done.actor.*': { guard: 'isLeader', target: '#singleton.standby' },
            // Shutdown while yielding: the child is already stopping; wait for it as resigning would.
            'child.stop': 'resigning',
          },
        },
        resigning: {
          on: { 'xstate.done.actor.*': { guard: 'isLeader', target: '#singleton.stopped' } },
        },
      },
      on: {
        'xstate.done.actor.*': {
          guard: 'isLeader',
          target: '#singleton.failed',
          actions: { type: 'noteFailure', params: ({ context }) => ({ failure: leaderExited(context.childId) }) },
        },
        'xstate.error.actor.*': {
          target: '#singleton.failed',
          actions: { type: 'noteFailure', params: ({ event }) => ({ failure: event.error }) },
        },
      },
    },
    failed: {
      entry: 'failNext',
      on: { 'singleton.fail': { actions: 'fail' } },
    },
    stopped: { type: 'final' },
  },
  on: {
    'debug.crash': {
      target: '.failed',
      actions: assign({ failure: ({ event, self }) => crashed(self.id, event.reason) }),
    },
  },
});
