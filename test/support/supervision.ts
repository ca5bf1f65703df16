import { createActor, setup, SimulatedClock, type AnyActorRef } from 'xstate';
import { supervisorMachine, type Announcement, type SupervisorInput } from '../../machines/supervisor.ts';
import { crash, reportReady, type ChildSpec, type RestartType } from '../../machines/childProtocol.ts';
import type { Strategy } from '../../machines/supervisionPlan.ts';

/**
 * A child for supervision tests: reports ready at once or on `go`, exits on `exit`, may ignore
 * stop requests or take `stopTakesMs` (on the actor's clock) to finish its work after one.
 */
export const testWorker = setup({
  types: {
    input: {} as { readyOnSignal?: boolean; ignoresStop?: boolean; stopTakesMs?: number } | undefined,
    context: {} as { readyOnSignal: boolean; ignoresStop: boolean; stopTakesMs: number },
  },
  actions: { reportReady, crash },
  guards: {
    readyOnSignal: ({ context }) => context.readyOnSignal,
    ignoresStop: ({ context }) => context.ignoresStop,
    slowToStop: ({ context }) => context.stopTakesMs > 0,
  },
  delays: { stopTakes: ({ context }) => context.stopTakesMs },
}).createMachine({
  context: ({ input }) => ({
    readyOnSignal: input?.readyOnSignal ?? false,
    ignoresStop: input?.ignoresStop ?? false,
    stopTakesMs: input?.stopTakesMs ?? 0,
  }),
  initial: 'booting',
  states: {
    booting: { always: [{ guard: 'readyOnSignal', target: 'waiting' }, { target: 'running' }] },
    waiting: { on: { go: 'running' } },
    running: { entry: 'reportReady', on: { exit: 'done' } },
    finishing: { after: { stopTakes: 'done' } },
    done: { type: 'final' },
  },
  on: {
    'child.stop': [{ guard: 'ignoresStop' }, { guard: 'slowToStop', target: '.finishing' }, { target: '.done' }],
    'debug.crash': { actions: 'crash' },
  },
});

export function worker(id: string, restart: RestartType = 'permanent', input?: ChildSpec['input']): ChildSpec {
  return { id, logic: testWorker, restart, input };
}

export const settings = {
  intensity: 3,
  periodMs: 60_000,
  startTimeoutMs: 5_000,
  stopTimeoutMs: 2_000,
  backoff: { minMs: 1_000, maxMs: 8_000, resetAfterMs: 30_000, jitter: 0 },
};

export function startSupervisor(strategy: Strategy, children: ChildSpec[], overrides: Partial<SupervisorInput> = {}) {
  const clock = new SimulatedClock();
  const announcements: Announcement[] = [];
  const machine = supervisorMachine.provide({
    actions: { announce: (_args, params) => void announcements.push(params as Announcement) },
  });
  const actor = createActor(machine, {
    clock,
    input: { id: 'sup', strategy, children, ...settings, now: () => clock.now(), random: () => 0, ...overrides },
  });
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => void errors.push(error) });
  actor.start();
  const child = (id: string): AnyActorRef | undefined => actor.system.get(id);
  const status = (id: string) => actor.getSnapshot().context.children[id]?.status;
  const events = (kind: Announcement['event']) => announcements.filter((a) => a.event === kind);
  return { actor, clock, announcements, errors, child, status, events, machine };
}
