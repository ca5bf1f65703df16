import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.ts';
import { extractDocument, type ExtractionMode } from './extractDocument.ts';
import type { OwnCompany } from './header/ownCompany.ts';
import { reloadingTemplates } from './templates/reloadingTemplates.ts';

/**
 * One extraction worker thread (see extractionPool.ts). Templates are loaded at start and
 * again whenever their files change (checked per document); each message is one document,
 * answered with an outcome, never an exception, and with a warning when changed templates
 * could not be loaded.
 */
const settings = workerData as { templateDirs: string[]; ownCompany: OwnCompany | null };
const templates = reloadingTemplates(settings.templateDirs);

parentPort!.on('message', (job: { bytes: Uint8Array; mediaType: string; mode: ExtractionMode }) => {
  const set = templates.current();
  extractDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.mediaType, {
    mode: job.mode,
    templates: set.templates,
    ownCompany: settings.ownCompany,
  })
    .then((outcome) => parentPort!.postMessage({ outcome, templateWarning: set.warning }))
    .catch((error: unknown) => parentPort!.postMessage({ error: errorMessage(error) }));
});
parentPort!.postMessage({ ready: true });
