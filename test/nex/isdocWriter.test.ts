import test from 'ava';
import { writeIsdoc } from '../../src/nex/isdoc/writer.ts';
import { parseInvoiceXml } from '../../src/extract/structured/index.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { invoiceDifferences, slovakSampleInvoice, slovakSampleIsdocInvoice } from '../support/einvoices.ts';

const UUID = /<UUID>([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})<\/UUID>/i;

test('writeIsdoc then parseInvoiceXml gives back the invoice it was given', (t) => {
  const sample = slovakSampleIsdocInvoice();
  const xml = writeIsdoc(sample);
  t.deepEqual(invoiceDifferences(parseInvoiceXml(xml), sample), []);
});

test('the ISDOC is version 6.0.2 in the 2013 namespace', (t) => {
  const xml = writeIsdoc(slovakSampleInvoice());
  t.regex(
    xml,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Invoice xmlns="http:\/\/isdoc.cz\/namespace\/2013" version="6.0.2">/,
  );
});

test('line amounts with VAT that ISDOC requires are computed from the net amounts when the invoice lacks them', (t) => {
  // Net 79.80 at 23% → 98.15; unit 39.900 → 49.077 (the price keeps its three decimals).
  const parsed = parseInvoiceXml(writeIsdoc(slovakSampleInvoice()));
  t.deepEqual(
    parsed.lines.map((line) => [line.unit_price_with_vat, line.line_gross]),
    slovakSampleIsdocInvoice().lines.map((line) => [line.unit_price_with_vat, line.line_gross]),
  );
  t.true(writeIsdoc(slovakSampleInvoice()).includes('<LineExtensionTaxAmount>18.35</LineExtensionTaxAmount>'));
});

test('every ISDOC gets a real, new UUID unless the caller gives the invoice its own', (t) => {
  const first = UUID.exec(writeIsdoc(slovakSampleInvoice()))?.[1];
  const second = UUID.exec(writeIsdoc(slovakSampleInvoice()))?.[1];
  t.truthy(first);
  t.not(first, second);
  t.not(first, '00000000-0000-0000-0000-000000000000');
  const given = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
  t.is(UUID.exec(writeIsdoc(slovakSampleInvoice(), { uuid: given }))?.[1], given);
  t.throws(() => writeIsdoc(slovakSampleInvoice(), { uuid: 'FAKE-UUID' }), { code: 'ISDOC_UUID_INVALID' });
});

test('DocumentType follows the document type', (t) => {
  const types: Array<[NormalizedInvoice['document_type'], string]> = [
    ['invoice', '1'],
    ['credit_note', '2'],
    ['advance_invoice', '4'],
    ['payment_tax_document', '5'],
  ];
  for (const [documentType, code] of types) {
    const xml = writeIsdoc({ ...slovakSampleInvoice(), document_type: documentType });
    t.true(xml.includes(`<DocumentType>${code}</DocumentType>`), String(documentType));
    t.is(parseInvoiceXml(xml).document_type, documentType);
  }
});

test('one TaxSubTotal per VAT rate, with rows of the same rate merged', (t) => {
  const invoice = slovakSampleInvoice();
  invoice.vat_breakdown = [
    { rate: '23', base: '79.80', tax: '18.35' },
    { rate: '5', base: '37.47', tax: '1.87' },
    { rate: '23.00', base: '37.35', tax: '8.59' },
  ];
  const xml = writeIsdoc(invoice);
  t.is(xml.match(/<TaxSubTotal>/g)?.length, 2);
  t.deepEqual(parseInvoiceXml(xml).vat_breakdown, [
    { rate: '23', base: '117.15', tax: '26.94' },
    { rate: '5', base: '37.47', tax: '1.87' },
  ]);
});

test('with no VAT breakdown on the invoice, the TaxSubTotals are summed from the lines', (t) => {
  const xml = writeIsdoc({ ...slovakSampleIsdocInvoice(), vat_breakdown: [] });
  t.deepEqual(parseInvoiceXml(xml).vat_breakdown, [
    { rate: '23', base: '117.15', tax: '26.94' },
    { rate: '5', base: '37.47', tax: '1.87' },
  ]);
});

test('no date is invented: a missing tax point date is left out, a missing issue date refuses the ISDOC', (t) => {
  const xml = writeIsdoc({ ...slovakSampleInvoice(), tax_point_date: null });
  t.false(xml.includes('<TaxPointDate>'));
  t.is(parseInvoiceXml(xml).tax_point_date, null);
  t.throws(() => writeIsdoc({ ...slovakSampleInvoice(), issue_date: null }), {
    code: 'ISDOC_INCOMPLETE',
    message: /no issue date/,
  });
});

test('without a due date the IBAN is kept as an alternate account, and no payment date appears', (t) => {
  const xml = writeIsdoc({ ...slovakSampleInvoice(), due_date: null });
  t.false(xml.includes('<PaymentDueDate>'));
  const parsed = parseInvoiceXml(xml);
  t.is(parsed.supplier.iban, 'SK3112000000198742637541');
  t.is(parsed.due_date, null);
});

test('every text is escaped', (t) => {
  const invoice = slovakSampleInvoice();
  invoice.supplier.name = 'A&B <Stavby> "Sever" \'s\'';
  const xml = writeIsdoc(invoice);
  t.true(xml.includes('<Name>A&amp;B &lt;Stavby&gt; &quot;Sever&quot; &apos;s&apos;</Name>'));
  t.is(parseInvoiceXml(xml).supplier.name, invoice.supplier.name);
});

test('a line that gives no way to know its net amount is refused, not written as zero', (t) => {
  const invoice = slovakSampleInvoice();
  invoice.lines[0] = { ...invoice.lines[0]!, line_net: null, quantity: null };
  t.throws(() => writeIsdoc(invoice), { code: 'ISDOC_INCOMPLETE', message: /Line 1/ });
});

test('a line without a net amount gets quantity × price less its discount', (t) => {
  const invoice = slovakSampleIsdocInvoice();
  invoice.lines[1] = { ...invoice.lines[1]!, line_net: null };
  t.is(parseInvoiceXml(writeIsdoc(invoice)).lines[1]!.line_net, '37.35');
});
