import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { LoaderError } from '../../../src/errors.ts';
import { readPdfRuns, type Pdf2JsonParser } from '../../../src/extract/pdf/pdf2jsonRuns.ts';

/** A stand-in for pdf2json that does on parseBuffer whatever the test tells it to. */
function fakeParser(behaviour: (parser: EventEmitter) => void): () => Pdf2JsonParser {
  return () => {
    const parser = new EventEmitter();
    return Object.assign(parser, {
      parseBuffer: () => behaviour(parser),
      destroy: () => parser.removeAllListeners(),
    }) as unknown as Pdf2JsonParser;
  };
}

const page = {
  Width: 37.188,
  Height: 52.625,
  Texts: [{ x: 2.875, y: 5.5, w: 30, R: [{ T: 'Faktúra', TS: [0, 13, 0, 0] }] }],
};

test('an error, then data, then another error: the first report settles, the rest are ignored', async (t) => {
  const createParser = fakeParser((parser) => {
    setImmediate(() => {
      parser.emit('pdfParser_dataError', { parserError: new Error('Invalid XRef stream header') });
      parser.emit('pdfParser_dataReady', { Pages: [page] });
      parser.emit('pdfParser_dataError', new Error('second complaint'));
    });
  });
  const error = await t.throwsAsync(readPdfRuns(Buffer.from('%PDF'), { createParser }), { instanceOf: LoaderError });
  t.is(error.code, 'PDF_TEXT_FAILED');
  t.is(error.details?.reason, 'Invalid XRef stream header');
});

test('data, then a late error: the text is kept', async (t) => {
  const createParser = fakeParser((parser) => {
    setImmediate(() => {
      parser.emit('pdfParser_dataReady', { Pages: [page] });
      parser.emit('pdfParser_dataError', new Error('late'));
    });
  });
  const pages = await readPdfRuns(Buffer.from('%PDF'), { createParser });
  t.is(pages[0]!.runs[0]!.text, 'Faktúra');
  t.is(pages[0]!.runs[0]!.x, 50); // pdf2json grid units back in PDF points
});

test('a parser that throws while starting is a PDF_TEXT_FAILED error, not an exception', async (t) => {
  const createParser = fakeParser(() => {
    throw new TypeError('Cannot read properties of undefined');
  });
  const error = await t.throwsAsync(readPdfRuns(Buffer.from('%PDF'), { createParser }), { instanceOf: LoaderError });
  t.is(error.code, 'PDF_TEXT_FAILED');
});

test('a parser that never answers is given up after the timeout', async (t) => {
  const createParser = fakeParser(() => {});
  const error = await t.throwsAsync(readPdfRuns(Buffer.from('%PDF'), { createParser, timeoutMs: 50 }), {
    instanceOf: LoaderError,
  });
  t.regex(error.message, /no answer/);
});

/**
 * Runs readPdfRuns in a worker thread, as the extraction pool does, with a parser that throws
 * `thrown` from a timer and then (after 30 ms) answers with one page. A throw nothing catches
 * would end the worker, so this happens in its own thread: resolves with what the thread reported.
 */
function readInWorker(thrown: 'pdf2json' | 'other'): Promise<{ outcome: string; exited: number | null }> {
  const module = new URL('../../../src/extract/pdf/pdf2jsonRuns.ts', import.meta.url).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { EventEmitter } = require('node:events');
    import(${JSON.stringify(module)}).then(({ readPdfRuns }) => {
      const createParser = () => Object.assign(new EventEmitter(), {
        parseBuffer() {
          setTimeout(() => {
            const error = new TypeError("Cannot read properties of undefined (reading 'vertical')");
            if (${JSON.stringify(thrown)} === 'pdf2json')
              error.stack = 'TypeError: x\\n    at CanvasGraphics.showSpacedText (file:///app/node_modules/pdf2json/dist/pdfparser.js:43603:27)';
            throw error;
          }, 5);
          setTimeout(() => this.emit('pdfParser_dataReady', { Pages: [] }), 30);
        },
        destroy() {},
      });
      readPdfRuns(Buffer.from('%PDF'), { createParser, timeoutMs: 5000 }).then(
        (pages) => parentPort.postMessage('read ' + pages.length + ' pages; listeners ' + process.listenerCount('uncaughtException')),
        (error) => parentPort.postMessage(error.code + ': ' + error.message + '; listeners ' + process.listenerCount('uncaughtException')),
      );
    });`;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true });
    let outcome = 'nothing';
    worker.on('message', (message: string) => {
      outcome = message;
      void worker.terminate();
    });
    worker.on('error', (error) => (outcome = `worker error: ${error.message}`));
    worker.on('exit', (code) => resolve({ outcome, exited: code }));
  });
}

test('pdf2json throwing from a timer fails the read with its message; the thread lives on (issue 15)', async (t) => {
  const { outcome } = await readInWorker('pdf2json');
  t.regex(outcome, /^PDF_TEXT_FAILED: .*pdf2json failed: Cannot read properties of undefined \(reading 'vertical'\)/);
  t.regex(outcome, /listeners 0$/, 'the listener is gone once no read is in flight');
});

test('an uncaught exception from anything else still ends the thread, as it did before (issue 15)', async (t) => {
  const { outcome } = await readInWorker('other');
  t.is(outcome, "worker error: Cannot read properties of undefined (reading 'vertical')");
});
