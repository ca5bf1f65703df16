import { assign, fromPromise, setup } from 'xstate';
import { crash, reportReady } from './childProtocol.ts';
import type { Severity } from './alertPolicy.ts';
import { systemNow } from './systemClock.ts';
import { evaluateReadings, type ConditionState, type Reading } from './monitorConditions.ts';

/**
 * The `monitor` actor: every interval it takes one sample (the provided `sample` actor:
 * systeminformation, statfs, the database and the pipeline's own signals), turns the readings
 * into conditions (monitorConditions.ts), publishes them (health, metrics, status file: the
 * provided `publish`), and tells the alerter which conditions fire now.
 */
export interface FiringCondition {
  key: string;
  condition: string;
  component: string;
  severity: Severity;
  summary: string;
  /** When it began to fire, in ms since the epoch. */
  at: number;
}

/** What the alerter receives each cycle: the whole set, so a lost message or a restart of either side heals. */
export type AlertSyncEvent = { type: 'alert.sync'; source: string; firing: FiringCondition[]; at: number };

export interface MonitorContext {
  conditions: Record<string, ConditionState>;
  samples: number;
  lastError: string | null;
}

export function firingConditions(conditions: Record<string, ConditionState>): FiringCondition[] {
  return Object.entries(conditions).flatMap(([key, state]) => {
    if (state.level === 'ok') return [];
    const [condition, ...rest] = key.split(':');
    return [
      {
        key,
        condition: condition!,
        component: rest.join(':'),
        severity: state.level,
        summary: state.summary,
        at: state.since,
      },
    ];
  });
}

export const monitorMachine = setup({
  types: {
    context: {} as MonitorContext,
    events: {} as { type: 'child.stop' } | { type: 'debug.crash'; reason?: string } | { type: 'monitor.sample' },
  },
  actors: {
    sample: fromPromise<Reading[]>(async () => []),
  },
  actions: {
    reportReady,
    crash,
    /** Provided from src/: health, metrics and the status file read the conditions from here. */
    publish: (_args, _params: { conditions: Record<string, ConditionState>; error: string | null }) => {},
    tellAlerter: ({ context, system }) => {
      system.get('alerter')?.send({
        type: 'alert.sync',
        source: 'monitor',
        firing: firingConditions(context.conditions),
        at: systemNow(system),
      } satisfies AlertSyncEvent);
    },
  },
  delays: { interval: 60_000 },
}).createMachine({
  id: 'monitor',
  context: { conditions: {}, samples: 0, lastError: null },
  entry: 'reportReady',
  initial: 'sampling',
  states: {
    sampling: {
      invoke: {
        src: 'sample',
        onDone: {
          target: 'waiting',
          actions: [
            assign(({ context, event, system }) => ({
              conditions: evaluateReadings(context.conditions, event.output, systemNow(system)).states,
              samples: context.samples + 1,
              lastError: null,
            })),
            { type: 'publish', params: ({ context }) => ({ conditions: context.conditions, error: null }) },
            'tellAlerter',
          ],
        },
        onError: {
          target: 'waiting',
          actions: [
            assign({ lastError: ({ event }) => String((event.error as Error)?.message ?? event.error) }),
            {
              type: 'publish',
              params: ({ context }) => ({ conditions: context.conditions, error: context.lastError }),
            },
          ],
        },
      },
    },
    waiting: {
      after: { interval: 'sampling' },
      on: { 'monitor.sample': 'sampling' },
    },
    stopped: { type: 'final' },
  },
  on: {
    'child.stop': '.stopped',
    'debug.crash': { actions: 'crash' },
  },
});
