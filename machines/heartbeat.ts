import { assign, setup } from 'xstate';
import { crash, reportReady } from './childProtocol.ts';

/**
 * One `heartbeat` log line every interval. What goes into the line is the provided
 * action `beat` (src/runtime/heartbeat.ts); the machine only owns the rhythm.
 */
export const heartbeatMachine = setup({
  types: {
    input: {} as { intervalMs: number },
    context: {} as { intervalMs: number; beats: number },
  },
  actions: {
    beat: () => {},
    countBeat: assign({ beats: ({ context }) => context.beats + 1 }),
    reportReady,
    crash,
  },
  delays: { interval: ({ context }) => context.intervalMs },
}).createMachine({
  id: 'heartbeat',
  context: ({ input }) => ({ intervalMs: input.intervalMs, beats: 0 }),
  entry: 'reportReady',
  initial: 'waiting',
  states: {
    waiting: { after: { interval: { target: 'waiting', reenter: true, actions: ['countBeat', 'beat'] } } },
    stopped: { type: 'final' },
  },
  on: {
    'child.stop': '.stopped',
    'debug.crash': { actions: 'crash' },
  },
});
