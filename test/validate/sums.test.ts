import test from 'ava';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { checkSums } from '../../src/validate/sums.ts';
import { codesAndFields, slovakInvoice } from './slovakInvoice.ts';

const negative = (amount: string) => `-${amount}`;

/** The sample invoice as a credit note (dobropis): negative quantities, amounts and totals. */
function creditNote(): NormalizedInvoice {
  const invoice = slovakInvoice();
  invoice.document_type = 'credit_note';
  for (const row of invoice.vat_breakdown) Object.assign(row, { base: negative(row.base), tax: negative(row.tax) });
  for (const line of invoice.lines)
    Object.assign(line, { quantity: negative(line.quantity!), line_net: negative(line.line_net!) });
  Object.assign(invoice, {
    total_net: negative(invoice.total_net!),
    total_vat: negative(invoice.total_vat!),
    total_gross: negative(invoice.total_gross!),
  });
  return invoice;
}

test('a correct invoice has no sum problems', (t) => {
  t.deepEqual(checkSums(slovakInvoice()), []);
});

test('a line whose net amount is not quantity × price less discount is named, and so is its base', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[1]!.line_net = '38.35';
  const problems = checkSums(invoice);
  t.deepEqual(codesAndFields(problems), [
    ['LINE_NET_MISMATCH', 'lines[1].line_net'],
    ['LINES_BASE_MISMATCH', 'vat_breakdown[0].base'],
  ]);
  t.is(problems[0]!.message, 'Line 2: 10 × 4.150 less 10% is 37.35, but its net amount is 38.35.');
  t.is(problems[1]!.message, 'The 2 lines at 23% add up to 118.15, but the VAT base at that rate is 117.15.');
});

test('each amount may be a cent off, and a sum a cent per amount summed', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[0]!.line_net = '79.81';
  invoice.lines[1]!.line_net = '37.36';
  t.deepEqual(checkSums(invoice), [], '117.17 against 117.15 over two lines');
  invoice.lines[1]!.line_net = '37.361';
  t.deepEqual(codesAndFields(checkSums(invoice)), [
    ['LINE_NET_MISMATCH', 'lines[1].line_net'],
    ['LINES_BASE_MISMATCH', 'vat_breakdown[0].base'],
  ]);
});

test('a VAT amount that is not base × rate is named', (t) => {
  const invoice = slovakInvoice();
  invoice.vat_breakdown[0]!.tax = '26.96';
  const problems = checkSums(invoice);
  t.deepEqual(codesAndFields(problems), [['VAT_TAX_MISMATCH', 'vat_breakdown[0].tax']]);
  t.is(problems[0]!.message, 'VAT at 23% of 117.15 is 26.94, but the VAT breakdown says 26.96.');
  invoice.vat_breakdown[0]!.tax = '26.95';
  t.deepEqual(checkSums(invoice), [], '26.9445 rounds to 26.94, and 26.95 is within a cent of it');
});

test('bases and taxes add up to the net and VAT totals, net and VAT to the gross total', (t) => {
  const invoice = slovakInvoice();
  invoice.total_net = '154.65';
  invoice.total_vat = '28.71';
  const problems = checkSums(invoice);
  t.deepEqual(codesAndFields(problems), [
    ['TOTAL_NET_MISMATCH', 'total_net'],
    ['TOTAL_VAT_MISMATCH', 'total_vat'],
    ['TOTAL_GROSS_MISMATCH', 'total_gross'],
  ]);
  t.is(problems[0]!.message, 'The VAT bases add up to 154.62, but the total net amount is 154.65.');
  t.is(problems[2]!.message, 'Net 154.65 plus VAT 28.71 is 183.36, but the gross total is 183.43.');
});

test('the gross total alone may be a cent off, not more', (t) => {
  const invoice = slovakInvoice();
  invoice.total_gross = '183.44';
  t.deepEqual(checkSums(invoice), []);
  invoice.total_gross = '183.45';
  t.deepEqual(codesAndFields(checkSums(invoice)), [['TOTAL_GROSS_MISMATCH', 'total_gross']]);
});

test('lines at a rate the breakdown does not list are named', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[2]!.vat_rate = '19';
  const problems = checkSums(invoice);
  t.deepEqual(codesAndFields(problems), [
    ['LINES_BASE_MISMATCH', 'vat_breakdown[1].base'],
    ['LINE_RATE_NOT_IN_BREAKDOWN', 'lines[2].vat_rate'],
  ]);
  t.is(problems[0]!.message, 'No line is at 5%, but the VAT base at that rate is 37.47.');
  t.is(problems[1]!.message, 'Lines at 19% add up to 37.47, but the VAT breakdown has no row for that rate.');
});

test('rates are grouped by value: 23.00 on a line is the breakdown row 23', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[0]!.vat_rate = '23.00';
  invoice.vat_breakdown[1]!.rate = '5.0';
  t.deepEqual(checkSums(invoice), []);
});

test('a credit note with negative amounts adds up the same way', (t) => {
  t.deepEqual(checkSums(creditNote()), []);
  const wrong = creditNote();
  wrong.lines[2]!.line_net = '-37.57';
  wrong.total_gross = '-183.53';
  const problems = checkSums(wrong);
  t.deepEqual(codesAndFields(problems), [
    ['LINE_NET_MISMATCH', 'lines[2].line_net'],
    ['LINES_BASE_MISMATCH', 'vat_breakdown[1].base'],
    ['TOTAL_GROSS_MISMATCH', 'total_gross'],
  ]);
  t.is(problems[0]!.message, 'Line 3: -3 × 12.49 is -37.47, but its net amount is -37.57.');
  t.is(problems[1]!.message, 'The 1 line at 5% comes to -37.57, but the VAT base at that rate is -37.47.');
});

test('a check whose inputs are missing is skipped', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[0]!.quantity = null;
  invoice.lines[0]!.unit_price = '99.00';
  invoice.total_vat = null;
  invoice.total_gross = '999.99';
  invoice.vat_breakdown[1]!.tax = '9.99';
  t.deepEqual(
    codesAndFields(checkSums(invoice)),
    [['VAT_TAX_MISMATCH', 'vat_breakdown[1].tax']],
    'no line check without a quantity, no VAT total or gross check without the total VAT',
  );
});

test('a line without a net amount stops the lines-to-base check; a text line does not', (t) => {
  const withText = slovakInvoice();
  withText.lines.push({ ...withText.lines[0]!, line_number: 4, description: 'Delivery note 123', quantity: null });
  Object.assign(withText.lines[3]!, { unit_price: null, vat_rate: null, line_net: null });
  t.deepEqual(checkSums(withText), [], 'a line with no amount adds nothing');
  const unpriced = slovakInvoice();
  unpriced.lines[1]!.line_net = null;
  t.deepEqual(checkSums(unpriced), [], 'a sum over the other lines would be a false gap');
});

test('a breakdown row that is not numbers stops the total checks but not the other rows', (t) => {
  const invoice = slovakInvoice();
  invoice.vat_breakdown[0]!.base = '117,15';
  invoice.vat_breakdown[1]!.tax = '2.87';
  invoice.total_net = '1.00';
  t.deepEqual(codesAndFields(checkSums(invoice)), [
    ['VAT_TAX_MISMATCH', 'vat_breakdown[1].tax'],
    ['TOTAL_GROSS_MISMATCH', 'total_gross'],
  ]);
});
