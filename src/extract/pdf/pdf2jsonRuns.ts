/**
 * The positioned text runs of every page, read with pdf2json. pdf2json is event based and old
 * (a fork of an early pdf.js): it can report an error and then still report data, report an
 * error twice, throw from inside parseBuffer, or stay silent on input it rejects. This module
 * turns all of that into one Promise that settles exactly once.
 */
import './quietPdf2json.ts';
import PDFParser, { type Output, type Page } from 'pdf2json';
import { LoaderError, errorMessage } from '../../errors.ts';

/** A piece of text as placed on the page, in PDF points from the top-left corner. */
export interface TextRun {
  x: number;
  y: number;
  width: number;
  text: string;
  fontSize: number;
}

export interface PageRuns {
  width: number;
  runs: TextRun[];
}

// pdf2json reports positions in its own grid: 1 unit = 16 PDF points (96 dpi / 4 units per inch
// at its 1.5 viewport scale), shifted by the 0.25 / 0.75 offsets it subtracts; widths are in points.
const POINTS_PER_UNIT = 16;
const X_SHIFT = 0.25;
const Y_SHIFT = 0.75;
// pdf2json's font size is in CSS pixels (96 dpi).
const POINTS_PER_PIXEL = 72 / 96;
const FALLBACK_FONT_SIZE = 10;
// parseBuffer turns a verbosity of 0 into 1 (warnings, printed with console.log); a negative
// value reaches pdf.js as "errors only", which keeps the daemon's stdout free of its chatter.
const ERRORS_ONLY = -1;

/** The part of pdf2json's PDFParser used here; tests stand in a parser that misbehaves on purpose. */
export interface Pdf2JsonParser {
  on(event: 'pdfParser_dataReady', listener: (data: Output) => void): unknown;
  on(event: 'pdfParser_dataError', listener: (error: unknown) => void): unknown;
  parseBuffer(pdf: Buffer, verbosity?: number): void;
  destroy(): void;
}

export interface ReadOptions {
  /** pdf2json has been seen to hang on broken files; give up after this long. */
  timeoutMs?: number;
  createParser?: () => Pdf2JsonParser;
}

/**
 * pdf2json renders pages from timer callbacks, and a damaged page can make it throw there
 * (seen: "Cannot read properties of undefined (reading 'vertical')" from showSpacedText on a PDF
 * with a few flipped bits, issue 15). Nothing can catch such a throw but the process: it killed
 * the extraction worker. While reads are in flight, an uncaught exception thrown from
 * pdf2json's own code fails those reads instead; any other one is thrown on, as before.
 */
const inFlight = new Set<(error: Error) => void>();

function fromPdf2json(error: unknown): error is Error {
  return error instanceof Error && /[\\/]pdf2json[\\/]/.test(error.stack ?? '');
}

function onUncaught(error: Error): void {
  if (fromPdf2json(error)) {
    for (const fail of [...inFlight]) fail(error);
    return;
  }
  // Not ours: alone, rethrown to crash as it would have without us; else the other listener's.
  if (process.listenerCount('uncaughtException') === 1) throw error;
}

function track(fail: (error: Error) => void): () => void {
  if (inFlight.size === 0) process.on('uncaughtException', onUncaught);
  inFlight.add(fail);
  return () => {
    inFlight.delete(fail);
    if (inFlight.size === 0) process.off('uncaughtException', onUncaught);
  };
}

export function readPdfRuns(pdf: Buffer, options: ReadOptions = {}): Promise<PageRuns[]> {
  const { timeoutMs = 60_000, createParser = () => new PDFParser(null, false) } = options;
  return new Promise((resolve, reject) => {
    if (pdf.length === 0) {
      reject(failure('the file is empty'));
      return;
    }
    const parser = createParser();
    let settled = false;
    const timer = setTimeout(() => fail(`pdf2json gave no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);

    const untrack = track((error) => fail(`pdf2json failed: ${errorMessage(error)}`, error));

    function finish(): void {
      settled = true;
      clearTimeout(timer);
      untrack();
      // pdf2json may still be inside the code that reported to us; free its memory once that
      // has returned. Events it sends after this are ignored (settled), and destroy() removes
      // our listeners. Freeing is best effort: the text is read or the failure recorded.
      setImmediate(() => {
        try {
          parser.destroy();
        } catch {
          // nothing to do: the parser is dropped either way
        }
      });
    }
    function fail(reason: string, cause?: unknown): void {
      if (settled) return;
      finish();
      reject(failure(reason, cause));
    }

    parser.on('pdfParser_dataError', (error) => fail(reasonOf(error), error));
    parser.on('pdfParser_dataReady', (data: Output) => {
      if (settled) return;
      let pages: PageRuns[];
      try {
        pages = (data.Pages ?? []).map(pageRuns);
      } catch (error) {
        fail(`pdf2json returned text in an unexpected shape: ${errorMessage(error)}`, error);
        return;
      }
      finish();
      resolve(pages);
    });
    try {
      parser.parseBuffer(ownedCopy(pdf), ERRORS_ONLY);
    } catch (error) {
      fail(errorMessage(error), error);
    }
  });
}

/**
 * pdf2json reads `buffer.buffer` from offset 0 whenever the Buffer is a view into a larger
 * ArrayBuffer (every small Buffer from Node's pool is), so it would parse the wrong bytes.
 * A copy that owns its whole ArrayBuffer avoids that.
 */
function ownedCopy(pdf: Buffer): Buffer {
  const bytes = new Uint8Array(pdf.byteLength);
  bytes.set(pdf);
  return Buffer.from(bytes.buffer);
}

function pageRuns(page: Page): PageRuns {
  const runs: TextRun[] = [];
  for (const text of page.Texts ?? []) {
    // Rotated text (a vertical note in the margin, a stamp) does not belong to any line.
    if (text.R.some((run) => run.RA !== undefined && run.RA !== 0)) continue;
    const content = text.R.map((run) => decodeRun(run.T)).join('');
    if (content.trim() === '') continue;
    const pixels = text.R[0]?.TS?.[1];
    runs.push({
      x: (text.x + X_SHIFT) * POINTS_PER_UNIT,
      y: (text.y + Y_SHIFT) * POINTS_PER_UNIT,
      width: text.w,
      text: content,
      fontSize: typeof pixels === 'number' && pixels > 0 ? pixels * POINTS_PER_PIXEL : FALLBACK_FONT_SIZE,
    });
  }
  return { width: page.Width * POINTS_PER_UNIT, runs };
}

/**
 * pdf2json before 3.3 URI-encoded every run ("Fakt%C3%BAra"); 3.3 and later emit plain text,
 * in which a literal "%" must stay. Encoded text never holds a raw space or a "%" that does not
 * start an escape, so only text that looks encoded and decodes cleanly is decoded.
 */
export function decodeRun(text: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(text) || /\s|%(?![0-9A-Fa-f]{2})/.test(text)) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function reasonOf(error: unknown): string {
  if (error && typeof error === 'object' && 'parserError' in error) return errorMessage(error.parserError);
  return errorMessage(error);
}

function failure(reason: string, cause?: unknown): LoaderError {
  const clean = reason.replace(/^(Error:\s*)+/, '');
  return new LoaderError('PDF_TEXT_FAILED', `The PDF text could not be read: ${clean}.`, {
    cause,
    details: { reason: clean },
  });
}
