import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.ts';
import { extractDocument, type ExtractionMode } from './extractDocument.ts';
import { reloadingTemplates } from './templates/reloadingTemplates.ts';

/**
 * One extraction worker thread (see extractionPool.ts). Templates are loaded at start and
 * again whenever their files change (checked per document); each message is one document,
 * answered with an outcome, never an exception, and with a warning when changed templates
 * could not be loaded.
 */
const templates = reloadingTemplates((workerData as { templateDirs: string[] }).templateDirs);

parentPort!.on('message', (job: { bytes: Uint8Array; mediaType: string; mode: ExtractionMode }) => {
  const set = templates.current();
  extractDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.mediaType, {
    mode: job.mode,
    templates: set.templates,
  })
    .then((outcome) => parentPort!.postMessage({ outcome, templateWarning: set.warning }))
    .catch((error: unknown) => parentPort!.postMessage({ error: errorMessage(error) }));
});
parentPort!.postMessage({ ready: true });
