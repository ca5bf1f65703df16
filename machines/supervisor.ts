import { assign, setup, type ActorRefFrom } from 'xstate';
import { LoaderError } from '../src/errors.ts';
import { crash, reportReady } from './childProtocol.ts';
import { childBudgets } from './shutdownBudget.ts';
import {
  afterFailure,
  childIdOf,
  decideFailure,
  DONE_PREFIX,
  failureOf,
  interruptsHead,
  isAlive,
  stopAllInReverse,
  withChild,
  type ChildRecord,
  type Mode,
  type Operation,
  type SupervisorContext,
  type SupervisorInput,
} from './supervisionPlan.ts';

export type { SupervisorContext, SupervisorInput, SupervisorSettings } from './supervisionPlan.ts';

/**
 * A supervisor with Erlang/OTP semantics (plus Akka's restart backoff), as an XState machine.
 *
 * XState v5 has no supervision: a failed child stays dead and its error climbs to the
 * parent as `xstate.error.actor.<id>`. This machine observes those events and runs a queue
 * of operations (start, stop, backoff) one at a time: children start in list order, each
 * only after the previous reported ready, and stop in reverse order, each within its own
 * shutdown budget (machines/shutdownBudget.ts).
 * Restarts are serialized too: one backoff may delay a sibling's restart by at most itself.
 *
 * Reporting (logs, metrics, alerts) is the named action `announce`, provided from src/.
 */
export type Announcement =
  | {
      event: 'child_started';
      supervisor: string;
      child: string;
      restarts: number;
    }
  | {
      event: 'child_failed';
      supervisor: string;
      child: string;
      error: string;
      /** The error itself (its type, stack and cause reach the log); absent for a normal exit or a start timeout. */
      cause?: unknown;
      action: 'restart' | 'none' | 'escalate';
    }
  | {
      event: 'child_restarting';
      supervisor: string;
      child: string;
      delayMs: number;
    }
  | {
      event: 'child_stopped';
      supervisor: string;
      child: string;
      forced: boolean;
      /** The child's shutdown budget: what it was given before a forced stop. */
      budgetMs: number;
    }
  | { event: 'supervisor_ready'; supervisor: string }
  | { event: 'supervisor_stopped'; supervisor: string }
  | { event: 'supervisor_gave_up'; supervisor: string; reason: string };

type SupervisorEvent =
  | { type: 'child.ready'; id: string }
  | { type: 'child.stop' }
  | { type: 'debug.crash'; reason?: string }
  | { type: `xstate.error.actor.${string}`; error: unknown }
  | { type: `xstate.done.actor.${string}`; output?: unknown };

/** The ms a child may take to stop gracefully (its own budget, else a worker's). */
const budgetOf = (context: SupervisorContext, id: string) =>
  context.shutdownBudgets[id] ?? context.settings.stopTimeoutMs;

const supervisor = setup({
  types: {
    input: {} as SupervisorInput,
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  actions: {
    /** Provided from src/: log, count, alert. */
    announce: (_args, _announcement: Announcement) => {},
    reportReady,
    crash,
    popHead: assign({ queue: ({ context }) => context.queue.slice(1) }),
    beginShutdown: assign({
      mode: 'stopping' as const,
      queue: ({ context }) => stopAllInReverse(context.specs, context.children),
    }),
    giveUp: ({ context }) => {
      throw new LoaderError(
        'SUPERVISOR_GAVE_UP',
        `Supervisor ${context.id} gave up: ${context.giveUpReason?.replace(/\.$/, '')}.`,
      );
    },
  },
  guards: {
    queueEmpty: ({ context }) => context.queue.length === 0,
    headIsRedundant: ({ context }) => {
      const head = context.queue[0];
      if (!head || head.kind === 'backoff') return false;
      const alive = isAlive(context.children[head.id]);
      return head.kind === 'start' ? alive : !alive;
    },
    headIs: ({ context }, kind: Operation['kind']) => context.queue[0]?.kind === kind,
    modeIs: ({ context }, mode: Mode) => context.mode === mode,
    acceptsShutdown: ({ context }) => context.mode === 'starting' || context.mode === 'running',
    queuePending: ({ context }) => context.queue.length > 0,
    readyIsHead: ({ context, event }) => {
      const head = context.queue[0];
      return head?.kind === 'start' && head.id === childIdOf(event);
    },
    exitIsHeadStop: ({ context, event }) => {
      const head = context.queue[0];
      return head?.kind === 'stop' && head.id === childIdOf(event);
    },
    failureInterruptsHead: ({ context, event }) => interruptsHead(context, failureOf(context, event)),
  },
  delays: {
    startTimeout: ({ context }) => context.settings.startTimeoutMs,
    stopTimeout: ({ context }) => budgetOf(context, context.queue[0]?.id ?? ''),
    headBackoff: ({ context }) => (context.queue[0]?.kind === 'backoff' ? context.queue[0].ms : 0),
  },
});

/* The actions that decide several effects at once, bound to the setup so that what they enqueue is typed. */

const handleFailure = supervisor.enqueueActions(({ context, event, enqueue }) => {
  const failure = failureOf(context, event);
  if (!context.children[failure.id]) return;
  const decision = decideFailure(context, failure.id, failure.abnormal);
  enqueue.stopChild(failure.id);
  enqueue.assign(afterFailure(context, failure, decision));
  const action = decision.escalate ? 'escalate' : decision.restart ? 'restart' : 'none';
  // A normal exit that needs no restart (a transient child finishing, a stop during shutdown) is not news.
  if (action !== 'none' || failure.abnormal || context.mode === 'running') {
    enqueue({
      type: 'announce',
      params: {
        event: 'child_failed',
        supervisor: context.id,
        child: failure.id,
        error: failure.error,
        cause: failure.cause,
        action,
      },
    });
  }
});

const startHead = supervisor.enqueueActions(({ context, enqueue }) => {
  const head = context.queue[0]!;
  const spec = context.specs.find((s) => s.id === head.id)!;
  const child = context.children[head.id]!;
  const restarts = child.status === 'idle' ? 0 : child.restarts + 1;
  // The child's logic is only known at run time, so the typed actor-id union does not apply.
  enqueue.spawnChild(spec.logic, {
    id: spec.id as never,
    systemId: spec.id,
    input: spec.input,
  });
  enqueue.assign({
    children: withChild(context, head.id, {
      status: 'starting',
      restarts,
      readyAt: null,
    }),
  });
});

const markReady = supervisor.enqueueActions(({ context, event, enqueue }) => {
  const id = childIdOf(event);
  if (context.children[id]?.status !== 'starting') return;
  enqueue.assign({
    children: withChild(context, id, {
      status: 'running',
      readyAt: context.now(),
    }),
  });
  enqueue({
    type: 'announce',
    params: {
      event: 'child_started',
      supervisor: context.id,
      child: id,
      restarts: context.children[id]!.restarts,
    },
  });
});

const requestHeadStop = supervisor.enqueueActions(({ context, enqueue }) => {
  const id = context.queue[0]!.id;
  enqueue.sendTo(id, { type: 'child.stop' });
  enqueue.assign({
    children: withChild(context, id, { status: 'stopping' }),
  });
});

/** After the head's `xstate.done.actor` event, or by force when its shutdown budget ran out. */
const finishHeadStop = supervisor.enqueueActions(({ context, event, enqueue }) => {
  const id = context.queue[0]!.id;
  const forced = !event.type.startsWith(DONE_PREFIX);
  enqueue.stopChild(id);
  enqueue.assign({
    children: withChild(context, id, { status: 'stopped' }),
    queue: context.queue.slice(1),
  });
  enqueue({
    type: 'announce',
    params: {
      event: 'child_stopped',
      supervisor: context.id,
      child: id,
      forced,
      budgetMs: budgetOf(context, id),
    },
  });
});

const markHeadBackoff = supervisor.enqueueActions(({ context, enqueue }) => {
  const head = context.queue[0] as Extract<Operation, { kind: 'backoff' }>;
  enqueue.assign({
    children: withChild(context, head.id, { status: 'backoff' }),
  });
  enqueue({
    type: 'announce',
    params: {
      event: 'child_restarting',
      supervisor: context.id,
      child: head.id,
      delayMs: head.ms,
    },
  });
});

const becomeRunning = supervisor.enqueueActions(({ context, enqueue }) => {
  if (context.mode !== 'starting') return;
  enqueue.assign({ mode: 'running' });
  enqueue({
    type: 'announce',
    params: { event: 'supervisor_ready', supervisor: context.id },
  });
  enqueue('reportReady');
});

export const supervisorMachine = supervisor.createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    id: input.id,
    strategy: input.strategy,
    specs: input.children,
    children: Object.fromEntries(
      input.children.map((spec) => [
        spec.id,
        {
          id: spec.id,
          restart: spec.restart,
          status: 'idle',
          restarts: 0,
          consecutiveFailures: 0,
          readyAt: null,
          since: 0,
          lastError: null,
        } satisfies ChildRecord,
      ]),
    ),
    shutdownBudgets: childBudgets(input),
    queue: input.children.map((spec) => ({
      kind: 'start' as const,
      id: spec.id,
    })),
    restartLog: [],
    mode: 'starting',
    giveUpReason: null,
    settings: input,
    now: input.now ?? Date.now,
    random: input.random ?? Math.random,
  }),
  initial: 'working',
  on: {
    'child.ready': [
      {
        guard: 'readyIsHead',
        target: '.working',
        reenter: true,
        actions: [markReady, 'popHead'],
      },
      { actions: markReady },
    ],
    'xstate.error.actor.*': [
      {
        guard: 'failureInterruptsHead',
        target: '.working',
        reenter: true,
        actions: handleFailure,
      },
      { actions: handleFailure },
    ],
    'xstate.done.actor.*': [
      {
        guard: 'exitIsHeadStop',
        target: '.working',
        reenter: true,
        actions: finishHeadStop,
      },
      {
        guard: 'failureInterruptsHead',
        target: '.working',
        reenter: true,
        actions: handleFailure,
      },
      { actions: handleFailure },
    ],
    'child.stop': {
      guard: 'acceptsShutdown',
      target: '.working',
      reenter: true,
      actions: 'beginShutdown',
    },
    'debug.crash': { actions: 'crash' },
  },
  states: {
    working: {
      initial: 'next',
      states: {
        next: {
          always: [
            { guard: 'queueEmpty', target: '#supervisor.settled' },
            { guard: 'headIsRedundant', actions: 'popHead' },
            { guard: { type: 'headIs', params: 'start' }, target: 'starting' },
            { guard: { type: 'headIs', params: 'stop' }, target: 'stopping' },
            { target: 'backoff' },
          ],
        },
        starting: {
          entry: startHead,
          after: {
            startTimeout: {
              target: 'next',
              reenter: true,
              actions: handleFailure,
            },
          },
        },
        stopping: {
          entry: requestHeadStop,
          after: {
            stopTimeout: {
              target: 'next',
              reenter: true,
              actions: finishHeadStop,
            },
          },
        },
        backoff: {
          entry: markHeadBackoff,
          after: {
            headBackoff: { target: 'next', reenter: true, actions: 'popHead' },
          },
        },
      },
    },
    settled: {
      entry: becomeRunning,
      always: [
        { guard: { type: 'modeIs', params: 'stopping' }, target: 'stopped' },
        { guard: { type: 'modeIs', params: 'escalating' }, target: 'gaveUp' },
        { guard: 'queuePending', target: 'working' },
      ],
    },
    stopped: {
      type: 'final',
      entry: {
        type: 'announce',
        params: ({ context }: { context: SupervisorContext }) => ({
          event: 'supervisor_stopped',
          supervisor: context.id,
        }),
      },
    },
    gaveUp: {
      entry: [
        {
          type: 'announce',
          params: ({ context }: { context: SupervisorContext }) => ({
            event: 'supervisor_gave_up',
            supervisor: context.id,
            reason: context.giveUpReason ?? '',
          }),
        },
        'giveUp',
      ],
    },
  },
});

export type SupervisorActor = ActorRefFrom<typeof supervisorMachine>;
