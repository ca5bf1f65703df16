import { assign, fromCallback, fromPromise, setup, type AnyActorLogic } from 'xstate';
import { errorCode, errorMessage } from '../src/errors.ts';
import type { InvoiceStatus } from '../src/invoice/status.ts';
import { reportReady, crash } from './childProtocol.ts';

/**
 * Claim and run: claims invoices that need work (new ones and any left unfinished by a
 * crash), runs one child actor per invoice with bounded concurrency, and reports what became
 * of each. Claims are leases in the database, so several daemons can share the work and an
 * invoice held by a dead daemon is taken over when its lease runs out. Two actors run it with
 * their own child logic and prefix: `invoices` (a lifecycle per invoice, `invoice-<id>`) and
 * `nexWriter` (a posting per approved invoice, `posting-<id>`).
 *
 * A child that fails is not retried here: its failure is recorded (the store backs it off,
 * and quarantines it after too many attempts) and its lease makes it claimable later.
 */
export interface ClaimAndRunInput {
  concurrency: number;
  /** The logic of the child run for each claimed invoice. */
  lifecycle: AnyActorLogic;
  /** The children's id prefix, before the invoice id; default `invoice-`. */
  childPrefix?: string;
}

export interface ClaimAndRunContext {
  concurrency: number;
  lifecycle: AnyActorLogic;
  childPrefix: string;
  running: string[];
  /** The last claim's invoices, until their children are spawned. */
  claimed: Claimed;
  /** A wake-up arrived while claiming: claim again right after. */
  wakePending: boolean;
}

type Claimed = Array<{ id: string; status: InvoiceStatus }>;

/** What became of a child: its invoice and the status it ended in. */
export interface ChildFinished {
  invoiceId: string;
  status: InvoiceStatus;
}

/** A child that failed: its invoice, the error's sentence and code, and the error itself (for the log's stack). */
export interface ChildFailed {
  invoiceId: string;
  error: string;
  code: string;
  cause: unknown;
}
type InvoicesEvent =
  | { type: 'invoices.wake' }
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string }
  | { type: `xstate.done.actor.${string}`; output: ChildFinished }
  | { type: `xstate.error.actor.${string}`; error: unknown };

/** A claim waits for a quarter of the places to be free (at least one). */
const claimBatch = (concurrency: number) => Math.max(1, Math.floor(concurrency / 4));
/** The invoice id in a child's done or error event (`xstate.done.actor.<prefix><id>`). */
const invoiceIdOf = (event: { type: string }, prefix: string) =>
  event.type.slice(event.type.indexOf(`.${prefix}`) + 1 + prefix.length);

/**
 * The named parts of the machine. The actions with side effects are typed by their params
 * (XState ≥ 5.22 types them when the setup holds no enqueueActions; the two below are bound to
 * this setup instead, so the machine's named actions keep their types).
 */
const claimAndRun = setup({
  types: {
    input: {} as ClaimAndRunInput,
    context: {} as ClaimAndRunContext,
    events: {} as InvoicesEvent,
  },
  actors: {
    claim: fromPromise<Claimed, { limit: number }>(async () => []),
    /** Keeps the leases of running invoices fresh; reads the running ids from the parent. */
    keepLeases: fromCallback<{ type: string }, { running: () => string[] }>(() => {}),
    /** Gives back the leases of lifecycles stopped by a shutdown, so a restart resumes them at once. */
    releaseAll: fromPromise<void, { ids: string[] }>(async () => {}),
  },
  actions: {
    reportReady,
    crash,
    /** Provided from src/: lease release, counting and logging of a finished child. */
    finished: (_args, _finished: ChildFinished) => {},
    /** Provided from src/: records a failed child (attempts, backoff, quarantine) and logs it. */
    failed: (_args, _failed: ChildFailed) => {},
    /** Provided from src/: a claim that failed (the database is away), logged with its error. */
    claimFailed: (_args, _failure: { error: unknown }) => {},
    noteClaimed: assign((_, claimed: Claimed) => ({ claimed })),
    rememberWake: assign({ wakePending: true }),
    dropWake: assign({ wakePending: false }),
  },
  guards: {
    isLifecycle: ({ context, event }) => event.type.includes(`.${context.childPrefix}`),
    /** Too few free places to be worth a claim: claims come in batches, each one statement for several invoices. */
    full: ({ context }) => context.concurrency - context.running.length < claimBatch(context.concurrency),
    wakeAndRoom: ({ context }) =>
      context.wakePending && context.concurrency - context.running.length >= claimBatch(context.concurrency),
  },
  delays: { pollInterval: 5_000 },
});

/** One child per claimed invoice not already running. */
const spawnClaimed = claimAndRun.enqueueActions(({ context, enqueue }) => {
  const fresh = context.claimed.filter((invoice) => !context.running.includes(invoice.id));
  for (const invoice of fresh) {
    enqueue.spawnChild(context.lifecycle, {
      id: `${context.childPrefix}${invoice.id}` as never,
      input: { invoiceId: invoice.id, status: invoice.status },
    });
  }
  enqueue.assign({ running: [...context.running, ...fresh.map((i) => i.id)], claimed: [], wakePending: false });
});

/** A child that ended (done or failed): stopped and no longer counted. */
const forget = claimAndRun.enqueueActions(({ context, event, enqueue }) => {
  const id = invoiceIdOf(event, context.childPrefix);
  enqueue.stopChild(`${context.childPrefix}${id}`);
  enqueue.assign({ running: context.running.filter((running) => running !== id) });
});

export const claimAndRunMachine = claimAndRun.createMachine({
  id: 'claimAndRun',
  context: ({ input }) => ({
    concurrency: input.concurrency,
    lifecycle: input.lifecycle,
    childPrefix: input.childPrefix ?? 'invoice-',
    running: [],
    claimed: [],
    wakePending: false,
  }),
  entry: 'reportReady',
  invoke: {
    src: 'keepLeases',
    input: ({ self }) => ({ running: () => (self.getSnapshot().context as ClaimAndRunContext).running }),
  },
  initial: 'claiming',
  states: {
    idle: {
      // A wake while full is kept: the claim follows once enough lifecycles have finished.
      always: { guard: 'wakeAndRoom', target: 'claiming' },
      after: { pollInterval: 'claiming' },
      on: { 'invoices.wake': [{ guard: 'full', actions: 'rememberWake' }, { target: 'claiming' }] },
    },
    claiming: {
      always: { guard: 'full', target: 'idle' },
      invoke: {
        src: 'claim',
        input: ({ context }) => ({ limit: context.concurrency - context.running.length }),
        onDone: {
          target: 'idle',
          actions: [{ type: 'noteClaimed', params: ({ event }) => event.output }, spawnClaimed],
        },
        // A failed claim (the database is away) waits for the poll interval: a wake still pending
        // would claim again at once, and a claim that fails without I/O would do so forever
        // without letting the event loop breathe.
        onError: {
          target: 'idle',
          actions: [
            // The error itself, not its sentence: the log line keeps its type and stack.
            { type: 'claimFailed', params: ({ event }) => ({ error: event.error }) },
            'dropWake',
          ],
        },
      },
      on: { 'invoices.wake': { actions: 'rememberWake' } },
    },
    stopping: {
      invoke: {
        src: 'releaseAll',
        input: ({ context }) => ({ ids: context.running }),
        onDone: 'stopped',
        onError: 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
  on: {
    'xstate.done.actor.*': {
      guard: 'isLifecycle',
      actions: [
        {
          type: 'finished',
          params: ({ event }) => event.output,
        },
        forget,
        'rememberWake',
      ],
    },
    'xstate.error.actor.*': {
      guard: 'isLifecycle',
      actions: [
        {
          type: 'failed',
          params: ({ context, event }) => ({
            invoiceId: invoiceIdOf(event, context.childPrefix),
            error: errorMessage(event.error),
            code: errorCode(event.error),
            cause: event.error,
          }),
        },
        forget,
      ],
    },
    'child.stop': '.stopping',
    'debug.crash': { actions: 'crash' },
  },
});
