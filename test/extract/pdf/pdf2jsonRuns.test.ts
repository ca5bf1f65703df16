import { EventEmitter } from 'node:events';
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
