import test from 'ava';
import { detectXmlFormat, parseInvoiceXml } from '../../../src/extract/structured/index.ts';
import {
  buildCii,
  buildIsdoc,
  buildUbl,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
} from '../../support/einvoices.ts';

test('detectXmlFormat names the syntax from the document element, and null for other XML', (t) => {
  t.is(detectXmlFormat(buildUbl(slovakSampleInvoice())), 'ubl');
  t.is(detectXmlFormat(Buffer.from(buildUbl(slovakSampleInvoice(), 'CreditNote'))), 'ubl');
  t.is(detectXmlFormat(buildCii(slovakSampleInvoice())), 'cii');
  t.is(detectXmlFormat(buildIsdoc(slovakSampleIsdocInvoice())), 'isdoc');
  t.is(detectXmlFormat('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'), null);
  t.is(detectXmlFormat('not xml at all'), null);
});

test('an ISDOC in the older namespace, or in none, is still ISDOC', (t) => {
  const sample = slovakSampleIsdocInvoice();
  const older = buildIsdoc(sample).replace('http://isdoc.cz/namespace/2013', 'http://isdoc.cz/namespace/invoice');
  const bare = buildIsdoc(sample).replace(' xmlns="http://isdoc.cz/namespace/2013"', '');
  for (const xml of [older, bare]) {
    t.is(detectXmlFormat(xml), 'isdoc');
    t.is(parseInvoiceXml(xml).invoice_number, 'FV2026001234');
  }
});

test('source names the syntax and the XML path each header field was read from', (t) => {
  const ubl = parseInvoiceXml(buildUbl(slovakSampleInvoice())).source;
  t.like(ubl, { format: 'ubl', template: null });
  t.like(ubl.fields, {
    invoice_number: '/Invoice/cbc:ID',
    issue_date: '/Invoice/cbc:IssueDate',
    due_date: '/Invoice/cbc:DueDate',
    amount_due: '/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount',
    'supplier.ico': '/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID',
  });
  t.is(
    parseInvoiceXml(buildUbl(slovakSampleInvoice(), 'CreditNote')).source.fields.invoice_number,
    '/CreditNote/cbc:ID',
  );
  t.like(parseInvoiceXml(buildCii(slovakSampleInvoice())).source.fields, {
    invoice_number: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID',
    issue_date: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString',
  });
  t.like(parseInvoiceXml(buildIsdoc(slovakSampleIsdocInvoice())).source.fields, {
    invoice_number: '/Invoice/ID',
    variable_symbol: '/Invoice/PaymentMeans/Payment/Details/VariableSymbol',
    'supplier.ico': '/Invoice/AccountingSupplierParty/Party/PartyIdentification/ID',
  });
});

test('UNTDID type codes: 381 in a UBL Invoice is a credit note, 386 an advance invoice, 384 an invoice', (t) => {
  const withCode = (code: string) =>
    buildUbl(slovakSampleInvoice()).replace('<cbc:InvoiceTypeCode>380<', `<cbc:InvoiceTypeCode>${code}<`);
  t.is(parseInvoiceXml(withCode('381')).document_type, 'credit_note');
  t.is(parseInvoiceXml(withCode('386')).document_type, 'advance_invoice');
  t.is(parseInvoiceXml(withCode('384')).document_type, 'invoice');
  const advance = { ...slovakSampleInvoice(), document_type: 'advance_invoice' as const };
  t.is(parseInvoiceXml(buildCii(advance)).document_type, 'advance_invoice');
  t.is(parseInvoiceXml(buildIsdoc(advance)).document_type, 'advance_invoice');
});

test('a document-level allowance lands in the notes, worded alike from UBL and CII, and the totals stay as written', (t) => {
  const ubl = buildUbl(slovakSampleInvoice()).replace(
    '<cac:TaxTotal>',
    `<cac:AllowanceCharge>
<cbc:ChargeIndicator>false</cbc:ChargeIndicator>
<cbc:AllowanceChargeReason>Vernostná zľava</cbc:AllowanceChargeReason>
<cbc:MultiplierFactorNumeric>2</cbc:MultiplierFactorNumeric>
<cbc:Amount currencyID="EUR">2.34</cbc:Amount>
<cbc:BaseAmount currencyID="EUR">117.15</cbc:BaseAmount>
<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>23</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
</cac:AllowanceCharge>
<cac:TaxTotal>`,
  );
  const cii = buildCii(slovakSampleInvoice()).replace(
    '<ram:SpecifiedTradePaymentTerms>',
    `<ram:SpecifiedTradeAllowanceCharge>
<ram:ChargeIndicator><udt:Indicator>false</udt:Indicator></ram:ChargeIndicator>
<ram:CalculationPercent>2</ram:CalculationPercent>
<ram:BasisAmount>117.15</ram:BasisAmount>
<ram:ActualAmount>2.34</ram:ActualAmount>
<ram:Reason>Vernostná zľava</ram:Reason>
<ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>23</ram:RateApplicablePercent></ram:CategoryTradeTax>
</ram:SpecifiedTradeAllowanceCharge>
<ram:SpecifiedTradePaymentTerms>`,
  );
  const expected =
    'Document-level allowance "Vernostná zľava" 2.34 (2% of 117.15), VAT 23%; it is included in the totals, not in the lines.';
  for (const xml of [ubl, cii]) {
    const invoice = parseInvoiceXml(xml);
    t.true(invoice.notes.includes(expected), invoice.notes.join(' | '));
    t.is(invoice.total_net, '154.62');
  }
});

test('a payment reference that is no variable symbol is kept as a note, not passed off as one', (t) => {
  const sample = { ...slovakSampleInvoice(), variable_symbol: 'FV2026001234' };
  for (const xml of [buildUbl(sample), buildCii(sample)]) {
    const invoice = parseInvoiceXml(xml);
    t.is(invoice.variable_symbol, null);
    t.true(invoice.notes.includes('Payment reference "FV2026001234" (not a variable symbol).'));
  }
});

test('a German supplier gets its VAT number, but no IČO, DIČ or IČ DPH made of its register or tax number', (t) => {
  const sample = slovakSampleInvoice();
  sample.supplier = {
    ...sample.supplier,
    name: 'Baustoffe Müller GmbH',
    ico: 'HRB 12345',
    dic: '201/113/40209',
    ic_dph: null,
    vat_id: 'DE123456789',
    country: 'DE',
  };
  for (const xml of [buildUbl(sample), buildCii(sample)]) {
    const { supplier } = parseInvoiceXml(xml);
    t.like(supplier, { ico: null, dic: null, ic_dph: null, vat_id: 'DE123456789', country: 'DE' });
  }
});

test('a Czech supplier in ISDOC: IČO from PartyIdentification, its VAT number is its DIČ, no IČ DPH', (t) => {
  const sample = slovakSampleIsdocInvoice();
  sample.supplier = {
    ...sample.supplier,
    name: 'ABRA Software a.s.',
    ico: '25097563',
    dic: 'CZ25097563',
    ic_dph: null,
    vat_id: 'CZ25097563',
    country: 'CZ',
  };
  const { supplier } = parseInvoiceXml(buildIsdoc(sample));
  t.like(supplier, { ico: '25097563', dic: 'CZ25097563', ic_dph: null, vat_id: 'CZ25097563' });
});

test('a CII date that names no single day is left empty with a note, never guessed', (t) => {
  const xml = buildCii(slovakSampleInvoice()).replace(
    '<udt:DateTimeString format="102">20260823</udt:DateTimeString>',
    '<udt:DateTimeString format="610">202608</udt:DateTimeString>',
  );
  const invoice = parseInvoiceXml(xml);
  t.is(invoice.due_date, null);
  t.true(invoice.notes.some((note) => note.includes('due date "202608"')));
});

test('an ISDOC in a foreign currency is read in its local currency, with a note on the other', (t) => {
  const xml = buildIsdoc(slovakSampleIsdocInvoice())
    .replace(
      '<LocalCurrencyCode>EUR</LocalCurrencyCode>',
      '<LocalCurrencyCode>CZK</LocalCurrencyCode>\n<ForeignCurrencyCode>EUR</ForeignCurrencyCode>',
    )
    .replace('<CurrRate>1</CurrRate>', '<CurrRate>25.10</CurrRate>');
  const invoice = parseInvoiceXml(xml);
  t.is(invoice.currency, 'CZK');
  t.true(
    invoice.notes.some((note) => note.startsWith('Amounts are in CZK; the document is also stated in EUR (rate 25.10')),
  );
});
