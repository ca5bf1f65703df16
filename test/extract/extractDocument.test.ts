import test from 'ava';
import { extractDocument, type ExtractionMode } from '../../src/extract/extractDocument.ts';
import { shippedTemplateDir } from '../../src/extract/shippedTemplates.ts';
import { loadTemplates } from '../../src/extract/templates/index.ts';
import { sniffMediaType } from '../../src/intake/mediaType.ts';
import {
  buildCii,
  buildIsdoc,
  buildUbl,
  invoiceDifferences,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
} from '../support/einvoices.ts';
import { encryptedPdf, facturXPdf, isdocPdf, plainPdf, truncated } from '../support/pdfFiles.ts';
import { lsInvoice, lsInvoicePdf } from '../support/pdfInvoices.ts';

const templates = loadTemplates([shippedTemplateDir]);
const extract = (bytes: Buffer, mode: ExtractionMode = 'auto') =>
  extractDocument(bytes, sniffMediaType(bytes), { mode, templates });

test('a Factur-X PDF is read from its embedded CII, field by field equal to what was generated', async (t) => {
  const invoice = slovakSampleInvoice();
  const outcome = await extract(await facturXPdf(buildCii(invoice)));
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'facturx');
  t.deepEqual(invoiceDifferences(outcome.invoice, invoice), []);
});

test('an ISDOC.PDF is read from its embedded ISDOC', async (t) => {
  const invoice = slovakSampleIsdocInvoice();
  const outcome = await extract(await isdocPdf(buildIsdoc(invoice)));
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'isdoc');
  t.deepEqual(invoiceDifferences(outcome.invoice, invoice), []);
});

test('UBL, CII and ISDOC files are read by the structured parsers', async (t) => {
  for (const [bytes, format] of [
    [Buffer.from(buildUbl(slovakSampleInvoice())), 'ubl'],
    [Buffer.from(buildCii(slovakSampleInvoice())), 'cii'],
    [Buffer.from(buildIsdoc(slovakSampleIsdocInvoice())), 'isdoc'],
  ] as const) {
    const outcome = await extract(bytes);
    t.is(outcome.kind === 'extracted' && outcome.invoice.source.format, format);
  }
});

test('a supplier PDF without XML is read through its template; mode structured refuses it', async (t) => {
  const invoice = lsInvoice();
  const pdf = await lsInvoicePdf(invoice);
  const outcome = await extract(pdf);
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'pdf-text');
  t.is(outcome.invoice.source.template, 'ls');
  t.is(outcome.invoice.invoice_number, invoice.invoice_number);
  t.deepEqual(await extract(pdf, 'structured'), {
    kind: 'unreadable',
    reason: 'the PDF carries no embedded e-invoice XML (mode structured)',
  });
});

test('mode text ignores the embedded XML and reads what the page prints', async (t) => {
  const outcome = await extract(await facturXPdf(buildCii(slovakSampleInvoice())), 'text');
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'pdf-text');
});

test('a broken embedded XML falls back to the PDF text, and says so', async (t) => {
  const outcome = await extract(await facturXPdf('<CrossIndustryInvoice><unclosed>'));
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'pdf-text');
  t.true(outcome.invoice.notes.some((note) => note.startsWith('the embedded factur-x.xml could not be read')));
});

test('zero-byte, truncated, encrypted and non-PDF files are quarantined with a reason, never thrown', async (t) => {
  const good = await plainPdf();
  const cases: Array<[string, Buffer, RegExp]> = [
    ['zero bytes', Buffer.alloc(0), /^the file is empty$/],
    ['truncated', truncated(good), /^the PDF is truncated or damaged/],
    ['encrypted', await encryptedPdf(), /^the PDF is password-protected; ask the supplier for an unprotected copy$/],
    ['an HTML page named .pdf', Buffer.from('<!DOCTYPE html><html><body>404</body></html>'), /^an HTML page/],
    [
      'random bytes named .pdf',
      Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]),
      /^not a PDF, XML, ISDOC or e-mail document/,
    ],
    [
      'XML that is no invoice',
      Buffer.from('<?xml version="1.0"?><Order><ID>1</ID></Order>'),
      /not a UBL, CII or ISDOC invoice/,
    ],
    [
      'XML with an external entity',
      Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>'),
      /./,
    ],
  ];
  for (const [what, bytes, reason] of cases) {
    const outcome = await extract(bytes);
    t.is(outcome.kind, 'unreadable', what);
    if (outcome.kind === 'unreadable') t.regex(outcome.reason, reason, what);
  }
});
