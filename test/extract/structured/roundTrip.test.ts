import test from 'ava';
import { zipSync } from 'fflate';
import { parseInvoiceXml, readIsdocx } from '../../../src/extract/structured/index.ts';
import {
  buildCii,
  buildIsdoc,
  buildUbl,
  invoiceDifferences,
  slovakSampleCreditNote,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
  withoutSource,
} from '../../support/einvoices.ts';

test('the sample invoice as UBL reads back field by field and line by line', (t) => {
  const sample = slovakSampleInvoice();
  const invoice = parseInvoiceXml(Buffer.from(buildUbl(sample)));
  t.deepEqual(invoiceDifferences(invoice, sample), []);
  t.is(invoice.source.format, 'ubl');
});

test('the sample invoice as CII reads back field by field and line by line', (t) => {
  const sample = slovakSampleInvoice();
  const invoice = parseInvoiceXml(Buffer.from(buildCii(sample)));
  t.deepEqual(invoiceDifferences(invoice, sample), []);
  t.is(invoice.source.format, 'cii');
});

test('the sample invoice as ISDOC, with the VAT-inclusive line amounts ISDOC carries, reads back field by field', (t) => {
  const sample = slovakSampleIsdocInvoice();
  const invoice = parseInvoiceXml(Buffer.from(buildIsdoc(sample)));
  t.deepEqual(invoiceDifferences(invoice, sample), []);
  t.is(invoice.source.format, 'isdoc');
});

test('the same invoice written as UBL and as CII extracts to identical JSON, apart from where it came from', (t) => {
  const fromUbl = parseInvoiceXml(buildUbl(slovakSampleInvoice()));
  const fromCii = parseInvoiceXml(buildCii(slovakSampleInvoice()));
  t.is(JSON.stringify(withoutSource(fromUbl)), JSON.stringify(withoutSource(fromCii)));
  t.is(fromUbl.source.template, null);
  t.is(fromCii.source.template, null);
  t.deepEqual(Object.keys(fromUbl.source.fields).sort(), Object.keys(fromCii.source.fields).sort());
});

test('prices, quantities and amounts keep exactly the digits the XML has', (t) => {
  for (const xml of [buildUbl(slovakSampleInvoice()), buildCii(slovakSampleInvoice())]) {
    const [first, second] = parseInvoiceXml(xml).lines;
    t.is(first!.unit_price, '39.900');
    t.is(first!.line_net, '79.80');
    t.is(second!.unit_price, '4.150');
    t.is(second!.discount_percent, '10');
  }
});

test('a UBL CreditNote is a credit note with its credited quantities, signs as written', (t) => {
  const creditNote = slovakSampleCreditNote();
  const xml = buildUbl(creditNote, 'CreditNote');
  t.true(xml.includes('<cbc:CreditedQuantity unitCode="H87">1</cbc:CreditedQuantity>'));
  const invoice = parseInvoiceXml(xml);
  t.is(invoice.document_type, 'credit_note');
  t.deepEqual(
    invoice.lines.map((line) => [line.quantity, line.unit, line.line_net]),
    [['1', 'H87', '39.90']],
  );
  t.deepEqual(invoiceDifferences(invoice, creditNote), []);
});

test('a credit note in CII (TypeCode 381) and ISDOC (DocumentType 2) is a credit note too', (t) => {
  const creditNote = slovakSampleCreditNote();
  t.is(parseInvoiceXml(buildCii(creditNote)).document_type, 'credit_note');
  t.is(parseInvoiceXml(buildIsdoc(creditNote)).document_type, 'credit_note');
});

test('a Factur-X MINIMUM-like CII without lines reads its header and totals, and no lines', (t) => {
  const sample = { ...slovakSampleInvoice(), lines: [] };
  const invoice = parseInvoiceXml(buildCii(sample));
  t.deepEqual(invoice.lines, []);
  t.is(invoice.total_gross, '183.43');
  t.deepEqual(invoiceDifferences(invoice, sample), []);
});

test('an .isdocx archive yields its .isdoc, which parses like the .isdoc itself', (t) => {
  const sample = slovakSampleIsdocInvoice();
  const isdoc = new TextEncoder().encode(buildIsdoc(sample));
  const zip = Buffer.from(
    zipSync({
      'FV2026001234.isdoc': isdoc,
      'FV2026001234.pdf': new TextEncoder().encode('%PDF-1.4 preview'),
      'prilohy/stara.isdoc': new TextEncoder().encode('<Invoice/>'),
    }),
  );
  const invoice = parseInvoiceXml(readIsdocx(zip));
  t.deepEqual(invoiceDifferences(invoice, sample), []);
});

test('a zip that is no .isdocx, or no zip at all, is ISDOCX_INVALID', (t) => {
  const withoutIsdoc = Buffer.from(zipSync({ 'faktura.pdf': new TextEncoder().encode('%PDF-1.4') }));
  t.throws(() => readIsdocx(withoutIsdoc), { code: 'ISDOCX_INVALID', message: /no \.isdoc file/ });
  t.throws(() => readIsdocx(Buffer.from('PK\u0003\u0004 broken beyond repair')), { code: 'ISDOCX_INVALID' });
  const two = Buffer.from(zipSync({ 'a.isdoc': new Uint8Array([60]), 'b.ISDOC': new Uint8Array([60]) }));
  t.throws(() => readIsdocx(two), { code: 'ISDOCX_INVALID', message: /2 \.isdoc files/ });
});
