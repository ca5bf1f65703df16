import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { createActor, fromCallback, fromPromise } from 'xstate';
import { serviceMachine } from '../../machines/service.ts';
import { LoaderError } from '../errors.ts';
import type { ExtractionMode, ExtractionOutcome } from './extractDocument.ts';
import { runOnThread, startExtractionThread, type ThreadJob, type ThreadSettings } from './extractionThread.ts';

/**
 * Extraction off the event loop. Each `worker-N` actor under the `extractor` supervisor owns
 * one slot; the slot's thread starts with the first document it is given and ends after
 * `idleWorkerMs` without one, so an idle daemon holds no extraction thread (each costs
 * 60–250 MB). A thread that crashes, runs out of memory or takes longer than `timeoutMs` is
 * terminated; its document is quarantined with that reason, and its actor fails, so the
 * supervisor starts a fresh slot (visible in `inspect` as a restart).
 */
export interface ExtractionPoolSettings extends ThreadSettings {
  workers: number;
  /** A slot's thread ends after this long without a document; undefined or 0: it never does. */
  idleWorkerMs?: number;
  /**
   * A slot's thread ends after reading this many documents, and the next document starts a fresh
   * one: a busy thread never idles out, and pdf.js, pdf2json and V8 keep part of what each
   * document cost (bench/soak: 516 → 640 MB over 20 000 invoices). Undefined or 0: never.
   */
  recycleAfterDocuments?: number;
  /** Told when a slot's thread starts, retires when idle or is recycled (for the debug log). */
  onThread?: (id: string, event: 'started' | 'retired' | 'recycled') => void;
}

interface Job extends ThreadJob {
  resolve: (outcome: ExtractionOutcome) => void;
}

interface Slot {
  /** Undefined until the slot's first document, and again after it retired. */
  thread: Worker | undefined;
  /** While its thread starts or a document is on it. */
  busy: boolean;
  retireTimer: NodeJS.Timeout | undefined;
  /** Documents its current thread has read. */
  documents: number;
  /** Tells the owning actor that this slot is broken, so its supervisor replaces it. */
  fail: (error: Error) => void;
}

export function workerCount(configured: number): number {
  return configured > 0 ? configured : Math.max(1, availableParallelism());
}

export function createExtractionPool(settings: ExtractionPoolSettings) {
  const slots = new Map<string, Slot>();
  const queue: Job[] = [];
  const ours = (id: string, slot: Slot) => slots.get(id) === slot;

  function dispatch(): void {
    // Slots with a running thread first: a trickle of documents keeps one thread warm and lets the others retire.
    const free = [...slots]
      .filter(([, slot]) => !slot.busy)
      .sort(([, a], [, b]) => Number(!a.thread) - Number(!b.thread));
    for (const [id, slot] of free) {
      const job = queue.shift();
      if (!job) return;
      void run(id, slot, job);
    }
  }

  async function run(id: string, slot: Slot, job: Job): Promise<void> {
    slot.busy = true;
    clearTimeout(slot.retireTimer);
    const thread = slot.thread ?? (await startThread(id, slot));
    if (!thread || !ours(id, slot)) {
      // The thread could not start, or the slot's actor stopped meanwhile: the document waits for another slot.
      slot.busy = false;
      queue.unshift(job);
      if (thread) void release(slot);
      dispatch();
      return;
    }
    const { outcome, broken } = await runOnThread(thread, job, settings);
    job.resolve(outcome);
    if (broken || !ours(id, slot)) {
      // Broken, or its actor was stopped while this document ran: the thread ends here, and a
      // broken slot leaves the map before anything else can give it a document.
      const failed = broken && ours(id, slot);
      if (failed) slots.delete(id);
      slot.busy = false;
      void release(slot);
      if (failed) slot.fail(broken);
    } else {
      slot.busy = false;
      slot.documents += 1;
      if (settings.recycleAfterDocuments && slot.documents >= settings.recycleAfterDocuments) {
        void release(slot);
        settings.onThread?.(id, 'recycled');
      } else scheduleRetirement(id, slot);
    }
    dispatch();
  }

  async function startThread(id: string, slot: Slot): Promise<Worker | undefined> {
    let thread: Worker;
    try {
      thread = await startExtractionThread(settings);
    } catch (error) {
      if (ours(id, slot)) {
        slots.delete(id);
        slot.fail(error as Error);
      }
      return undefined;
    }
    slot.thread = thread;
    slot.documents = 0;
    settings.onThread?.(id, 'started');
    // A crash between documents: nobody is waiting on the thread, so it is watched here too.
    thread.on('exit', (code) => {
      if (slot.thread !== thread || slot.busy) return; // retired, or the running document reports it
      slot.thread = undefined;
      if (!ours(id, slot)) return;
      slots.delete(id);
      slot.fail(new LoaderError('EXTRACTION_CRASHED', `The extraction worker ${id} exited (code ${code}).`));
    });
    return thread;
  }

  function scheduleRetirement(id: string, slot: Slot): void {
    if (!settings.idleWorkerMs) return;
    slot.retireTimer = setTimeout(() => {
      if (slot.busy || !slot.thread) return;
      void release(slot);
      settings.onThread?.(id, 'retired');
    }, settings.idleWorkerMs);
    slot.retireTimer.unref();
  }

  /** Ends the slot's thread unless a document is on it (that one finishes or times out on its own terms first). */
  async function release(slot: Slot): Promise<void> {
    clearTimeout(slot.retireTimer);
    const thread = slot.thread;
    if (slot.busy || !thread) return;
    slot.thread = undefined;
    await thread.terminate();
  }

  return {
    /** Extracts one document on a worker; waits for a free one. Never rejects: failures are outcomes. */
    extract(bytes: Buffer, mediaType: string, mode: ExtractionMode = 'auto'): Promise<ExtractionOutcome> {
      return new Promise((resolve) => {
        queue.push({ bytes, mediaType, mode, resolve });
        dispatch();
      });
    },

    /** Slots ready for a document (their thread may not have started yet). */
    get idleWorkers(): number {
      return [...slots.values()].filter((slot) => !slot.busy).length;
    },

    /** Threads alive now: started by a document, not yet retired. */
    get threads(): number {
      return [...slots.values()].filter((slot) => slot.thread).length;
    },

    /** What `inspect` shows beside a worker actor: whether its slot has a thread now, and whether it is reading. */
    notes(id: string): Record<string, string> | undefined {
      const slot = slots.get(id);
      if (!slot) return undefined;
      return { thread: slot.thread ? (slot.busy ? 'reading' : 'idle') : slot.busy ? 'starting' : 'none' };
    },

    /** The I/O of one `worker-N` actor (machines/service.ts): open its slot, watch it, close it. */
    workerActors(id: string) {
      return {
        start: fromPromise<void>(async () => {
          // A slot left by this actor's previous run (it failed, so its stop never ran) ends its thread here.
          const previous = slots.get(id);
          slots.delete(id);
          if (previous) await release(previous);
          slots.set(id, { thread: undefined, busy: false, retireTimer: undefined, documents: 0, fail: () => {} });
        }),
        watch: fromCallback(({ sendBack }) => {
          const slot = slots.get(id);
          if (slot) slot.fail = (error) => sendBack({ type: 'child.failed', error });
          // Documents go to a slot only once its actor runs, so a failure always has someone to tell.
          dispatch();
          return () => {
            if (slot) slot.fail = () => {};
          };
        }),
        stop: fromPromise<void>(async () => {
          const slot = slots.get(id);
          slots.delete(id);
          if (slot) await release(slot);
        }),
      };
    },
  };
}

export type ExtractionPool = ReturnType<typeof createExtractionPool>;

/**
 * A pool outside the daemon's actor tree: for the `extract` command, the conformance run and
 * the benchmarks. Each worker is the same service actor the daemon supervises (its thread
 * starts with its first document); `stop()` ends them.
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
