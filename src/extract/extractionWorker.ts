import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.ts';
import { extractDocument, type ExtractionMode } from './extractDocument.ts';
import { loadTemplates } from './templates/index.ts';

/**
 * One extraction worker thread (see extractionPool.ts). Templates are loaded once per
 * worker; each message is one document, answered with an outcome, never an exception.
 */
const templates = loadTemplates((workerData as { templateDirs: string[] }).templateDirs);

parentPort!.on('message', (job: { bytes: Uint8Array; mediaType: string; mode: ExtractionMode }) => {
  extractDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.mediaType, {
    mode: job.mode,
    templates,
  })
    .then((outcome) => parentPort!.postMessage({ outcome }))
    .catch((error: unknown) => parentPort!.postMessage({ error: errorMessage(error) }));
});
parentPort!.postMessage({ ready: true });
