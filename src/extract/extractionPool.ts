import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createActor, fromCallback, fromPromise } from 'xstate';
import { serviceMachine } from '../../machines/service.ts';
import { LoaderError, errorMessage } from '../errors.ts';
import type { ExtractionMode, ExtractionOutcome } from './extractDocument.ts';
import type { OwnCompany } from './header/ownCompany.ts';

/**
 * Extraction off the event loop: a pool of worker threads, each owned by one `worker-N`
 * actor under the `extractor` supervisor. A worker that crashes, runs out of memory or takes
 * longer than `timeoutMs` is terminated; its document is quarantined with that reason, and
 * its actor fails, so the supervisor starts a fresh worker (visible in `inspect`).
 */
export interface ExtractionPoolSettings {
  workers: number;
  timeoutMs: number;
  memoryMb: number;
  templateDirs: string[];
  /** The company the loader works for (config `customer`): never read as the supplier. */
  ownCompany?: OwnCompany | null;
  /** Told when a worker could not load changed templates (it keeps the previous ones). */
  onTemplateWarning?: (warning: string) => void;
  /** The worker's script; tests substitute one that can hang, crash or exhaust memory on demand. */
  workerScript?: URL;
}

interface Job {
  bytes: Buffer;
  mediaType: string;
  mode: ExtractionMode;
  resolve: (outcome: ExtractionOutcome) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Tells the owning actor that this worker is gone, so its supervisor replaces it. */
  fail: (error: Error) => void;
}

const WORKER_SCRIPT = new URL('./extractionWorker.ts', import.meta.url);

export function workerCount(configured: number): number {
  return configured > 0 ? configured : Math.max(1, availableParallelism());
}

export function createExtractionPool(settings: ExtractionPoolSettings) {
  const slots = new Map<string, Slot>();
  const queue: Job[] = [];

  function dispatch(): void {
    for (const [id, slot] of slots) {
      if (slot.busy) continue;
      const job = queue.shift();
      if (!job) return;
      run(id, slot, job);
    }
  }

  function run(id: string, slot: Slot, job: Job): void {
    slot.busy = true;
    let settled = false;
    const finish = (outcome: ExtractionOutcome, brokenWorker?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      slot.worker.off('exit', onExit);
      job.resolve(outcome);
      const stillOurs = slots.get(id) === slot;
      if (brokenWorker || !stillOurs) {
        // Broken, or its actor was stopped while this job ran: the thread ends here.
        if (stillOurs) slots.delete(id);
        void slot.worker.terminate();
        if (brokenWorker && stillOurs) slot.fail(brokenWorker);
      } else {
        slot.busy = false;
      }
      dispatch();
    };
    const onMessage = (message: { outcome?: ExtractionOutcome; error?: string; templateWarning?: string }) => {
      if (message.templateWarning) settings.onTemplateWarning?.(message.templateWarning);
      finish(message.outcome ?? { kind: 'unreadable', reason: `extraction failed: ${message.error ?? 'no answer'}` });
    };
    const onError = (error: Error) => {
      const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      const reason = outOfMemory
        ? `extracting it needed more than ${settings.memoryMb} MB of memory (extraction.memoryMb)`
        : `the extraction worker crashed: ${errorMessage(error)}`;
      finish(
        { kind: 'unreadable', reason },
        new LoaderError(outOfMemory ? 'EXTRACTION_OUT_OF_MEMORY' : 'EXTRACTION_CRASHED', reason),
      );
    };
    const onExit = (code: number) => onError(new Error(`the worker exited with code ${code}`));
    const timer = setTimeout(() => {
      const reason = `extraction took longer than ${settings.timeoutMs / 1000} s (extraction.timeoutMs)`;
      finish({ kind: 'unreadable', reason }, new LoaderError('EXTRACTION_TIMEOUT', reason));
    }, settings.timeoutMs);
    slot.worker.on('message', onMessage);
    slot.worker.once('error', onError);
    slot.worker.once('exit', onExit);
    // A copy, so the caller's buffer is not detached by the transfer.
    const bytes = new Uint8Array(job.bytes);
    slot.worker.postMessage({ bytes, mediaType: job.mediaType, mode: job.mode }, [bytes.buffer]);
  }

  return {
    /** Extracts one document on a worker; waits for a free one. Never rejects: failures are outcomes. */
    extract(bytes: Buffer, mediaType: string, mode: ExtractionMode = 'auto'): Promise<ExtractionOutcome> {
      return new Promise((resolve) => {
        queue.push({ bytes, mediaType, mode, resolve });
        dispatch();
      });
    },

    get idleWorkers(): number {
      return [...slots.values()].filter((slot) => !slot.busy).length;
    },

    /** The I/O of one `worker-N` actor (machines/service.ts): start a thread, watch it, stop it. */
    workerActors(id: string) {
      let pending: { fail: (error: Error) => void } | undefined;
      return {
        start: fromPromise<void>(async () => {
          const worker = new Worker(settings.workerScript ?? WORKER_SCRIPT, {
            workerData: { templateDirs: settings.templateDirs, ownCompany: settings.ownCompany ?? null },
            resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
            // pdf2json prints stack traces of broken PDFs with console.log; its failures reach us as
            // outcomes anyway, so a worker's own output is drained here instead of reaching stdout.
            stdout: true,
            stderr: true,
          });
          worker.stdout.resume();
          worker.stderr.resume();
          // A worker may still report an error after its job ended (it ran out of memory just as
          // the timeout terminated it). Failures are handled where a job or the watcher sees them;
          // an 'error' event with no listener would be an uncaught exception in the daemon.
          worker.on('error', () => {});
          await new Promise<void>((ready, failed) => {
            const onExit = (code: number) =>
              failed(
                new LoaderError('EXTRACTION_WORKER_START', `The extraction worker exited at start (code ${code}).`),
              );
            const settle = (outcome: () => void) => () => {
              worker.off('message', onReady).off('error', onFail).off('exit', onExit);
              outcome();
            };
            const onReady = settle(ready);
            const onFail = (error: Error) => settle(() => failed(error))();
            worker.once('message', onReady).once('error', onFail).once('exit', onExit);
          });
          slots.set(id, { worker, busy: false, fail: (error) => pending?.fail(error) });
          dispatch();
        }),
        watch: fromCallback(({ sendBack }) => {
          pending = { fail: (error) => sendBack({ type: 'child.failed', error }) };
          const slot = slots.get(id);
          // A crash between jobs: nobody is waiting on the worker, so watch it here too.
          const onIdleExit = (code: number) => {
            if (slots.get(id) === slot && slot && !slot.busy) {
              slots.delete(id);
              sendBack({
                type: 'child.failed',
                error: new LoaderError('EXTRACTION_CRASHED', `The extraction worker ${id} exited (code ${code}).`),
              });
            }
          };
          slot?.worker.on('exit', onIdleExit);
          return () => {
            pending = undefined;
            slot?.worker.off('exit', onIdleExit);
          };
        }),
        stop: fromPromise<void>(async () => {
          const slot = slots.get(id);
          slots.delete(id);
          // A job in flight finishes or times out on its own terms; the thread then ends.
          if (slot && !slot.busy) await slot.worker.terminate();
        }),
      };
    },
  };
}

export type ExtractionPool = ReturnType<typeof createExtractionPool>;

/**
 * A pool with its workers running, outside the daemon's actor tree: for the `extract`
 * command, the conformance run and the benchmarks. Each worker is the same service actor
 * the daemon supervises; `stop()` ends them.
 */
export async function startStandalonePool(settings: ExtractionPoolSettings) {
  const pool = createExtractionPool(settings);
  const count = workerCount(settings.workers);
  const actors = Array.from({ length: count }, (_, i) => {
    const actor = createActor(serviceMachine.provide({ actors: pool.workerActors(`standalone-${i + 1}`) }));
    actor.subscribe({ error: () => {} }); // a failed worker only means fewer workers here
    return actor.start();
  });
  while (pool.idleWorkers < count) await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    pool,
    workers: count,
    stop: () => {
      for (const actor of actors) actor.send({ type: 'child.stop' });
    },
  };
}
