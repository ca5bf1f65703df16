import test from 'ava';
import { emptyInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { checkRequiredFields } from '../../src/validate/requiredFields.ts';
import { codesAndFields, slovakInvoice } from './slovakInvoice.ts';

test('a complete invoice has every required field', (t) => {
  t.deepEqual(checkRequiredFields(slovakInvoice()), []);
});

test('an invoice with nothing extracted reports each missing field, the missing amounts and the IČO', (t) => {
  const problems = checkRequiredFields(emptyInvoice());
  t.deepEqual(codesAndFields(problems), [
    ['FIELD_MISSING', 'invoice_number'],
    ['FIELD_MISSING', 'issue_date'],
    ['FIELD_MISSING', 'supplier.name'],
    ['FIELD_MISSING', 'total_gross'],
    ['FIELD_MISSING', 'currency'],
    ['AMOUNTS_MISSING', 'lines'],
    ['ICO_MISSING', 'supplier.ico'],
  ]);
  t.is(problems.find((p) => p.code === 'ICO_MISSING')!.severity, 'warning');
  t.true(problems.filter((p) => p.code !== 'ICO_MISSING').every((p) => p.severity === 'error'));
  t.is(problems[0]!.message, 'The invoice number was not found on the invoice.');
  t.is(problems[5]!.message, 'No amounts were extracted: the invoice has neither lines nor a VAT breakdown.');
});

test('blank text counts as missing', (t) => {
  const invoice = slovakInvoice();
  invoice.invoice_number = '  ';
  invoice.supplier.name = '';
  t.deepEqual(codesAndFields(checkRequiredFields(invoice)), [
    ['FIELD_MISSING', 'invoice_number'],
    ['FIELD_MISSING', 'supplier.name'],
  ]);
});

test('a VAT breakdown without lines, or lines without a breakdown, are amounts enough', (t) => {
  const summaryOnly = slovakInvoice();
  summaryOnly.lines = [];
  t.deepEqual(checkRequiredFields(summaryOnly), []);
  const linesOnly = slovakInvoice();
  linesOnly.vat_breakdown = [];
  t.deepEqual(checkRequiredFields(linesOnly), []);
});

test('a missing IČO is a warning for a Slovak supplier and nothing for a foreign one', (t) => {
  const slovak = slovakInvoice();
  slovak.supplier.ico = null;
  const problems = checkRequiredFields(slovak);
  t.deepEqual(codesAndFields(problems), [['ICO_MISSING', 'supplier.ico']]);
  t.is(problems[0]!.severity, 'warning');
  const german = slovakInvoice();
  Object.assign(german.supplier, { ico: null, dic: null, ic_dph: null, vat_id: 'DE123456789', country: 'DE' });
  t.deepEqual(checkRequiredFields(german), []);
});

test('the currency must be a three-letter code', (t) => {
  for (const currency of ['CZK', 'HUF', 'SKK']) {
    const invoice = slovakInvoice();
    invoice.currency = currency;
    t.deepEqual(checkRequiredFields(invoice), [], currency);
  }
  for (const currency of ['€', 'EURO', 'eur', 'Kč']) {
    const invoice = slovakInvoice();
    invoice.currency = currency;
    t.deepEqual(codesAndFields(checkRequiredFields(invoice)), [['CURRENCY_INVALID', 'currency']], currency);
  }
});
