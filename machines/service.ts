import { fromCallback, fromPromise, setup } from 'xstate';
import { crash, reportReady } from './childProtocol.ts';

/**
 * A long-lived resource with an asynchronous start and stop (a listening HTTP server, a
 * folder watcher): starting → running → stopping → stopped. A failed start, or a failure the
 * `watch` actor reports while running, fails the actor, and its supervisor decides what next.
 */
export const serviceMachine = setup({
  types: {
    events: {} as
      { type: 'child.stop' } | { type: 'debug.crash'; reason?: string } | { type: 'child.failed'; error: unknown },
  },
  actors: {
    start: fromPromise<void>(async () => {}),
    /** Reports `child.failed` to the service when the running resource breaks. */
    watch: fromCallback(() => {}),
    stop: fromPromise<void>(async () => {}),
  },
  actions: { reportReady, crash },
}).createMachine({
  id: 'service',
  initial: 'starting',
  states: {
    starting: {
      // No onError: an unhandled error of the invoked start fails this actor, which is what we want.
      invoke: { src: 'start', onDone: 'running' },
      on: { 'child.stop': 'stopping' },
    },
    running: {
      entry: 'reportReady',
      invoke: { src: 'watch' },
      on: { 'child.stop': 'stopping', 'child.failed': { actions: 'crash' } },
    },
    stopping: {
      invoke: { src: 'stop', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
  on: { 'debug.crash': { actions: 'crash' } },
});
