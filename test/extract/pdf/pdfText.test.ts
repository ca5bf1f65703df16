import test from 'ava';
import { LoaderError } from '../../../src/errors.ts';
import { extractPdfText } from '../../../src/extract/pdf/pdfText.ts';
import { renderPdf } from '../../support/pdfInvoices.ts';

test('Slovak diacritics come through, and a two-column header stays two columns', async (t) => {
  const pdf = await renderPdf([
    [
      { x: 40, y: 80, text: 'Dodávateľ: Ťažba štrku, s.r.o.' },
      { x: 330, y: 80, text: 'Odberateľ: Mágerstav' },
      { x: 40, y: 92, text: 'Žilina, ôsmy ľadovec, ňufák' },
      { x: 330, y: 92, text: 'Modra' },
    ],
  ]);
  const { pages, text } = await extractPdfText(pdf);
  t.is(pages.length, 1);
  t.regex(text, /Dodávateľ: Ťažba štrku, s\.r\.o\. {2,}Odberateľ: Mágerstav/);
  t.regex(text, /Žilina, ôsmy ľadovec, ňufák {2,}Modra/);
});

test('letter-spaced dates are read as dates, whether spaced by the text or by character spacing', async (t) => {
  const pdf = await renderPdf([
    [
      { x: 40, y: 80, text: 'Dátum vystavenia:' },
      { x: 150, y: 80, text: '1 6 . 0 9 . 2 0 2 5' },
      { x: 40, y: 92, text: 'Dátum splatnosti:' },
      { x: 150, y: 92, text: '30.09.2025', characterSpacing: 3 },
      { x: 40, y: 104, text: 'Spolu:' },
      { x: 150, y: 104, text: '1 2 3 , 4 5' },
    ],
  ]);
  const { pages } = await extractPdfText(pdf);
  t.deepEqual(
    pages[0]!.lines.map((line) => line.trim().replace(/ {2,}/g, ' | ')),
    ['Dátum vystavenia: | 16.09.2025', 'Dátum splatnosti: | 30.09.2025', 'Spolu: | 123,45'],
  );
});

test('pages keep their own lines, and the text separates them with a form feed line', async (t) => {
  const pdf = await renderPdf([[{ x: 40, y: 40, text: 'Strana 1' }], [{ x: 40, y: 40, text: 'Strana 2' }]]);
  const { pages, text } = await extractPdfText(pdf);
  t.deepEqual(
    pages.map((page) => page.lines.map((line) => line.trim())),
    [['Strana 1'], ['Strana 2']],
  );
  t.regex(text, /Strana 1\n\f\n\s*Strana 2/);
});

test('several PDFs read at once give the same text as one at a time', async (t) => {
  const pdfs = await Promise.all(
    ['Prvá', 'Druhá', 'Tretia', 'Štvrtá'].map((word) => renderPdf([[{ x: 40, y: 40, text: `${word} faktúra` }]])),
  );
  const together = await Promise.all(pdfs.map((pdf) => extractPdfText(pdf)));
  for (const [index, pdf] of pdfs.entries()) t.is(together[index]!.text, (await extractPdfText(pdf)).text);
});

test('a buffer that is a view into a larger one is read correctly', async (t) => {
  const pdf = await renderPdf([[{ x: 40, y: 40, text: 'Faktúra' }]]);
  const pool = Buffer.alloc(pdf.length + 100, 0x20);
  pdf.copy(pool, 50);
  t.regex((await extractPdfText(pool.subarray(50, 50 + pdf.length))).text, /Faktúra/);
});

test('what pdf2json cannot read is one PDF_TEXT_FAILED error with the reason', async (t) => {
  for (const bytes of [Buffer.from('this is not a PDF'), Buffer.alloc(0), Buffer.from('%PDF-1.4\n%%EOF\n')]) {
    const error = await t.throwsAsync(extractPdfText(bytes), { instanceOf: LoaderError });
    t.is(error.code, 'PDF_TEXT_FAILED');
    t.is(typeof error.details?.reason, 'string');
  }
});
