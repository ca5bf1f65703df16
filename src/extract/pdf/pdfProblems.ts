import { getDocument, PasswordException, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { LoaderError } from '../../errors.ts';

export const DEFAULT_PDF_TIMEOUT_MS = 10_000;

/**
 * The most pages a PDF may have to be read as an invoice. The text reader (pdf2json) holds every
 * page at once: 5 000 pages took 10 s and over 500 MB in one worker (issue 15's hostile corpus);
 * 500 pages is about a tenth of that, and far beyond the longest itemised invoice.
 */
export const MAX_PDF_PAGES = 500;

export type PdfReadOptions = {
  /** How long pdf.js may take over one document before we give up on it. */
  timeoutMs?: number;
};

/**
 * A quick structural check before text extraction: null when pdf.js opens the document and
 * finds its first page; otherwise the reason, worded for the operator who has to act on it.
 * Never throws for a bad document: every failure of the file itself becomes the answer.
 */
export async function pdfProblem(pdf: Buffer, options: PdfReadOptions = {}): Promise<string | null> {
  try {
    await withPdfDocument(pdf, options, async (document, checkpoint) => {
      if (document.numPages < 1) throw new LoaderError('PDF_UNREADABLE', 'the PDF has no pages');
      if (document.numPages > MAX_PDF_PAGES)
        throw new LoaderError(
          'PDF_TOO_MANY_PAGES',
          `the PDF has ${document.numPages} pages, more than the ${MAX_PDF_PAGES} an invoice is read from; ask the supplier for the invoice on its own`,
        );
      // numPages only reads the page tree's /Count; fetching the page proves the page exists.
      await document.getPage(1);
      await checkpoint();
    });
    return null;
  } catch (error) {
    return toPdfError(error).message;
  }
}

/**
 * Opens `pdf` with pdf.js, runs `work` on it and always releases the document again.
 * `work` should await `checkpoint()` between pdf.js calls: that is where the time limit bites.
 * Every failure (not a PDF, damaged, password-protected, too slow) leaves as a LoaderError
 * with code PDF_UNREADABLE or PDF_ENCRYPTED and a sentence an operator can act on.
 */
export async function withPdfDocument<T>(
  pdf: Buffer,
  options: PdfReadOptions,
  work: (document: PDFDocumentProxy, checkpoint: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const notPdf = headerProblem(pdf);
  if (notPdf) throw new LoaderError('PDF_UNREADABLE', notPdf);

  const timeoutMs = options.timeoutMs ?? DEFAULT_PDF_TIMEOUT_MS;
  let loadingTask: ReturnType<typeof getDocument>;
  try {
    loadingTask = getDocument({
      // A copy: pdf.js refuses a Node Buffer and may detach the array it is given.
      data: new Uint8Array(pdf),
      verbosity: VerbosityLevel.ERRORS,
      // We only read structure and attachments: no fonts, wasm, image decoders or fetches.
      // (pdf.js 6 dropped isEvalSupported: it no longer compiles PDF functions with eval.)
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      useWasm: false,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      enableXfa: false,
    });
  } catch (error) {
    throw toPdfError(error);
  }

  // pdf.js without a worker runs on this thread and talks to itself through promises only, so
  // a timer alone would not fire until it finished. The timer catches requests that never
  // settle; the checkpoints between pdf.js calls give it (and the deadline) a chance to act.
  const deadline = performance.now() + timeoutMs;
  const tooSlow = () =>
    new LoaderError(
      'PDF_UNREADABLE',
      `reading the PDF took longer than ${formatDuration(timeoutMs)}; it is probably damaged or unusually complex`,
      { details: { timeoutMs } },
    );
  const checkpoint = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (performance.now() > deadline) throw tooSlow();
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow()), timeoutMs);
  });
  const reading = loadingTask.promise.then(async (document) => {
    await checkpoint();
    return work(document, checkpoint);
  });
  // Whichever side loses the race must not surface later as an unhandled rejection.
  reading.catch(() => {});
  timedOut.catch(() => {});

  try {
    return await Promise.race([reading, timedOut]);
  } catch (error) {
    throw toPdfError(error);
  } finally {
    clearTimeout(timer);
    // Not awaited: after a timeout pdf.js may still be busy, and the caller already has its answer.
    loadingTask.destroy().catch(() => {});
  }
}

/** Rejects what is plainly not a PDF before pdf.js tries to repair it into one. */
function headerProblem(pdf: Buffer): string | null {
  if (pdf.length === 0) return 'the file is empty';
  // Readers accept the %PDF- header anywhere in the first KiB (some generators prepend junk).
  if (pdf.subarray(0, 1024).includes('%PDF-', 0, 'latin1')) return null;
  const start = pdf
    .subarray(0, 16)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return `not a PDF (it starts with "${start}")`;
}

function toPdfError(error: unknown): LoaderError {
  if (error instanceof LoaderError) return error;
  if (error instanceof PasswordException || (error instanceof Error && error.name === 'PasswordException')) {
    return new LoaderError('PDF_ENCRYPTED', 'the PDF is password-protected; ask the supplier for an unprotected copy', {
      cause: error,
    });
  }
  const reason = (error instanceof Error ? error.message : String(error)).trim().replace(/\.$/, '');
  return new LoaderError('PDF_UNREADABLE', `the PDF is truncated or damaged: ${reason || 'pdf.js gave no reason'}`, {
    cause: error,
  });
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
