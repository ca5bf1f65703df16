import { Worker } from 'node:worker_threads';
import { LoaderError, errorMessage } from '../errors.ts';
import type { ExtractionMode, ExtractionOutcome } from './extractDocument.ts';
import type { OwnCompany } from './header/ownCompany.ts';

/**
 * One extraction worker thread: started, given documents one at a time, ended. The pool
 * (extractionPool.ts) decides when; this module only knows how, and turns a crash, a heap
 * limit or a timeout into an outcome the document can carry.
 */
export interface ThreadSettings {
  timeoutMs: number;
  memoryMb: number;
  templateDirs: string[];
  ownCompany?: OwnCompany | null;
  onTemplateWarning?: (warning: string) => void;
  workerScript?: URL;
}

export interface ThreadJob {
  bytes: Buffer;
  mediaType: string;
  mode: ExtractionMode;
}

/** What one document did to its thread: `broken` says the thread must end (and why). */
export interface ThreadResult {
  outcome: ExtractionOutcome;
  broken?: LoaderError;
}

const WORKER_SCRIPT = new URL('./extractionWorker.ts', import.meta.url);

/**
 * The young generation of a worker's heap, in MB. V8 sizes it for throughput and keeps it
 * grown after a burst: measured on one thread reading 200 supplier PDFs, the thread peaked at
 * +280 MB RSS with V8's default and at +145–160 MB with 8 MB (4 MB saved nothing more), while
 * the time per PDF stayed within the noise of a shared 2-core machine (23–32 ms either way).
 * This is Node's per-worker resource limit, not a process-wide V8 flag: the main thread keeps
 * V8's defaults.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * A thread that has not loaded its modules and templates by then is broken. Not
 * extraction.timeoutMs, which is about one document: a start on a busy 2-core machine takes
 * seconds, and a short document limit must not fail every start.
 */
const START_LIMIT_MS = 60_000;

/** Starts a thread and resolves once it has loaded its templates and said ready. */
export async function startExtractionThread(settings: ThreadSettings): Promise<Worker> {
  const worker = new Worker(settings.workerScript ?? WORKER_SCRIPT, {
    workerData: { templateDirs: settings.templateDirs, ownCompany: settings.ownCompany ?? null },
    resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    // pdf2json prints stack traces of broken PDFs with console.log; its failures reach us as
    // outcomes anyway, so a worker's own output is drained here instead of reaching stdout.
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  // A worker may still report an error after its job ended (it ran out of memory just as the
  // timeout terminated it). Failures are handled where a job or the pool's watcher sees them;
  // an 'error' event with no listener would be an uncaught exception in the daemon.
  worker.on('error', () => {});
  try {
    await new Promise<void>((ready, failed) => {
      const timer = setTimeout(
        () =>
          settle(() =>
            failed(
              new LoaderError(
                'EXTRACTION_WORKER_START',
                `The extraction worker did not start within ${START_LIMIT_MS / 1000} s.`,
              ),
            ),
          )(),
        START_LIMIT_MS,
      );
      const onExit = (code: number) =>
        settle(() =>
          failed(new LoaderError('EXTRACTION_WORKER_START', `The extraction worker exited at start (code ${code}).`)),
        )();
      const settle = (outcome: () => void) => () => {
        clearTimeout(timer);
        worker.off('message', onReady).off('error', onFail).off('exit', onExit);
        outcome();
      };
      const onReady = settle(ready);
      const onFail = (error: Error) => settle(() => failed(error))();
      worker.once('message', onReady).once('error', onFail).once('exit', onExit);
    });
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  return worker;
}

/** Runs one document on `worker`. Never rejects: a crash, the heap limit or the timeout is an outcome plus `broken`. */
export function runOnThread(worker: Worker, job: ThreadJob, settings: ThreadSettings): Promise<ThreadResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ExtractionOutcome, broken?: LoaderError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      resolve(broken ? { outcome, broken } : { outcome });
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
    worker.on('message', onMessage).once('error', onError).once('exit', onExit);
    // A copy, so the caller's buffer is not detached by the transfer.
    const bytes = new Uint8Array(job.bytes);
    worker.postMessage({ bytes, mediaType: job.mediaType, mode: job.mode }, [bytes.buffer]);
  });
}
