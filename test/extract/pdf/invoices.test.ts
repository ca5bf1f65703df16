import test from 'ava';
import type { NormalizedInvoice } from '../../../src/invoice/normalizedInvoice.ts';
import { extractPdfText } from '../../../src/extract/pdf/pdfText.ts';
import { shippedTemplateDir } from '../../../src/extract/shippedTemplates.ts';
import { extractWithTemplates, loadTemplates } from '../../../src/extract/templates/index.ts';
import {
  lsInvoice,
  lsInvoicePdf,
  marsoInvoice,
  marsoInvoicePdf,
  slovakInvoice,
  slovakInvoicePdf,
} from '../../support/pdfInvoices.ts';

/**
 * Each invoice is printed from a NormalizedInvoice and read back: every header field, every
 * VAT row and every line must come back exactly as generated.
 */
const templates = loadTemplates([shippedTemplateDir]);

async function readBack(expected: NormalizedInvoice, render: (invoice: NormalizedInvoice) => Promise<Buffer>) {
  const { invoice, template } = extractWithTemplates(await extractPdfText(await render(expected)), templates);
  const { source, ...fields } = invoice;
  const { source: _unused, ...expectedFields } = expected;
  return { fields, expectedFields, source, template };
}

test('an L&Š invoice: two-line items with EAN and discount, 23 % and 5 %, a letter-spaced date', async (t) => {
  const { fields, expectedFields, source, template } = await readBack(lsInvoice(), lsInvoicePdf);
  t.is(template, 'ls');
  const { lines, ...header } = fields;
  const { lines: expectedLines, ...expectedHeader } = expectedFields;
  t.deepEqual(header, expectedHeader);
  t.is(lines.length, expectedLines.length);
  for (const [index, line] of lines.entries()) t.deepEqual(line, expectedLines[index], `line ${index + 1}`);
  t.is(source.format, 'pdf-text');
  t.is(source.template, 'ls');
  t.is(source.fields.issue_date, 'regex: Dátum vystavenia');
  t.is(source.fields.invoice_number, 'regex: FAKTÚRA - DAŇOVÝ DOKLAD č.');
  t.is(source.fields['customer.ico'], 'regex: IČO (in customer)');
  t.regex(source.fields.lines!, /^items: two-line items/);
});

test('a MARSO invoice: bilingual, YYYY.MM.DD dates, intra-EU 0 %, HU and SK VAT numbers, customs codes', async (t) => {
  const { fields, expectedFields, source, template } = await readBack(marsoInvoice(), marsoInvoicePdf);
  t.is(template, 'marso');
  const { lines, ...header } = fields;
  const { lines: expectedLines, ...expectedHeader } = expectedFields;
  t.deepEqual(header, expectedHeader);
  t.is(lines.length, expectedLines.length);
  for (const [index, line] of lines.entries()) t.deepEqual(line, expectedLines[index], `line ${index + 1}`);
  t.is(source.fields.due_date, 'regex: due date column of the header table');
  t.is(source.fields['lines.vat_rate'], 'the only VAT rate of the VAT breakdown');
  t.is(source.fields['customer.ic_dph'], 'copied from customer.vat_id');
});

test('an invoice of an unknown Slovak supplier is read by the generic template', async (t) => {
  const { fields, expectedFields, source, template } = await readBack(slovakInvoice(), slovakInvoicePdf);
  t.is(template, 'generic');
  const { lines, ...header } = fields;
  const { lines: expectedLines, ...expectedHeader } = expectedFields;
  t.deepEqual(header, expectedHeader);
  t.is(lines.length, expectedLines.length);
  for (const [index, line] of lines.entries()) t.deepEqual(line, expectedLines[index], `line ${index + 1}`);
  t.is(source.template, 'generic');
  t.is(source.fields.invoice_number, 'regex: Faktúra č.');
  t.is(source.fields.total_gross, 'regex: Celkom k úhrade');
  t.is(source.fields['supplier.ico'], 'regex: IČO (in supplier)');
});
