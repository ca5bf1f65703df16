import test from 'ava';
import { checkVatRates, slovakVatRatesOn } from '../../src/validate/vatRates.ts';
import { codesAndFields, slovakInvoice } from './slovakInvoice.ts';

/** The sample invoice dated `date`, with every breakdown row and line at `rate`. */
function invoiceAt(date: string, rate: string) {
  const invoice = slovakInvoice();
  invoice.issue_date = date;
  invoice.tax_point_date = date;
  for (const row of invoice.vat_breakdown) row.rate = rate;
  for (const line of invoice.lines) line.vat_rate = rate;
  return invoice;
}

const allFields = [
  'vat_breakdown[0].rate',
  'vat_breakdown[1].rate',
  'lines[0].vat_rate',
  'lines[1].vat_rate',
  'lines[2].vat_rate',
];

test('the rates change on 1 January 2025', (t) => {
  t.deepEqual(slovakVatRatesOn('2024-12-31'), [20, 10, 5, 0]);
  t.deepEqual(slovakVatRatesOn('2025-01-01'), [23, 19, 5, 0]);
});

test('a 2026 invoice at 23% and 5% is valid', (t) => {
  t.deepEqual(checkVatRates(slovakInvoice()), []);
});

test('a 2024 invoice at 20% is valid', (t) => {
  t.deepEqual(checkVatRates(invoiceAt('2024-06-30', '20')), []);
  t.deepEqual(checkVatRates(invoiceAt('2024-12-31', '10.00')), [], 'compared as numbers');
});

test('a 2024 invoice at 23% is not', (t) => {
  const problems = checkVatRates(invoiceAt('2024-06-30', '23'));
  t.deepEqual(
    codesAndFields(problems),
    allFields.map((field) => ['VAT_RATE_INVALID', field]),
  );
  t.is(problems[0]!.message, 'VAT rate 23% is not a Slovak rate on 2024-06-30 (valid then: 20%, 10%, 5%, 0%).');
});

test('a 2026 invoice at 20% is not', (t) => {
  t.deepEqual(
    codesAndFields(checkVatRates(invoiceAt('2026-03-01', '20'))),
    allFields.map((field) => ['VAT_RATE_INVALID', field]),
  );
});

test('only the rows and lines with a wrong rate are named', (t) => {
  const invoice = slovakInvoice();
  invoice.lines[1]!.vat_rate = '23.00';
  invoice.lines[2]!.vat_rate = '10';
  invoice.vat_breakdown[1]!.rate = '5.0';
  t.deepEqual(codesAndFields(checkVatRates(invoice)), [['VAT_RATE_INVALID', 'lines[2].vat_rate']]);
});

test('the tax point decides the period, the issue date only when there is no tax point', (t) => {
  const delivered2024 = invoiceAt('2025-01-03', '20');
  delivered2024.tax_point_date = '2024-12-30';
  t.deepEqual(checkVatRates(delivered2024), [], 'supplied in 2024, invoiced in 2025: the 2024 rates');
  const noTaxPoint = invoiceAt('2025-01-03', '20');
  noTaxPoint.tax_point_date = null;
  t.is(checkVatRates(noTaxPoint).length, allFields.length);
});

test('a foreign supplier charges its own rates and is not checked', (t) => {
  const hungarian = invoiceAt('2026-03-01', '27');
  hungarian.supplier.ic_dph = null;
  hungarian.supplier.vat_id = 'HU12345678';
  hungarian.supplier.country = 'HU';
  t.deepEqual(checkVatRates(hungarian), []);
  const byCountry = invoiceAt('2026-03-01', '19');
  byCountry.supplier.ic_dph = null;
  byCountry.supplier.vat_id = null;
  byCountry.supplier.country = 'DE';
  t.deepEqual(checkVatRates(byCountry), []);
});

test('without a usable date, or a rate that is not a number, nothing is reported here', (t) => {
  const undated = invoiceAt('2026-03-01', '20');
  undated.issue_date = null;
  undated.tax_point_date = null;
  t.deepEqual(checkVatRates(undated), []);
  const misread = invoiceAt('2026-02-30', '20');
  t.deepEqual(checkVatRates(misread), []);
  const notANumber = slovakInvoice();
  notANumber.lines[0]!.vat_rate = '23 %';
  t.deepEqual(checkVatRates(notANumber), []);
});
