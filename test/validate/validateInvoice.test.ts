import test from 'ava';
import { LoaderError } from '../../src/errors.ts';
import { localToday } from '../../src/validate/calendarDate.ts';
import { validateInvoice } from '../../src/validate/validateInvoice.ts';
import { codesAndFields, slovakInvoice, TODAY } from './slovakInvoice.ts';

/** The sample's lines all at one rate, dated `date`, with the VAT and gross total given. */
function singleRateInvoice(date: string, rate: string, tax: string, gross: string) {
  const invoice = slovakInvoice();
  Object.assign(invoice, { issue_date: date, tax_point_date: date, due_date: date });
  for (const line of invoice.lines) line.vat_rate = rate;
  invoice.vat_breakdown = [{ rate, base: '154.62', tax }];
  Object.assign(invoice, { total_vat: tax, total_gross: gross, amount_due: gross });
  return invoice;
}

test('a complete, correct Slovak invoice is valid with no problems', (t) => {
  t.deepEqual(validateInvoice(slovakInvoice(), { today: TODAY }), { valid: true, problems: [] });
});

test('every fault is reported at once, whatever rule finds it', (t) => {
  const invoice = slovakInvoice();
  invoice.invoice_number = null;
  invoice.supplier.ico = '36555721';
  invoice.customer.ic_dph = 'SK2020312345';
  invoice.supplier.iban = 'SK3112000000198742637542';
  invoice.due_date = '2026-07-01';
  invoice.lines[2]!.vat_rate = '20';
  invoice.lines[1]!.line_net = '38.35';
  invoice.total_gross = '184.43';
  invoice.amount_due = '184,43';
  const result = validateInvoice(invoice, { today: TODAY });
  t.false(result.valid);
  t.deepEqual(codesAndFields(result.problems), [
    ['FIELD_MISSING', 'invoice_number'],
    ['DECIMAL_INVALID', 'amount_due'],
    ['ICO_CHECKSUM', 'supplier.ico'],
    ['VAT_ID_CHECKSUM', 'customer.ic_dph'],
    ['IBAN_CHECKSUM', 'supplier.iban'],
    ['DUE_BEFORE_ISSUE', 'due_date'],
    ['VAT_RATE_INVALID', 'lines[2].vat_rate'],
    ['LINE_NET_MISMATCH', 'lines[1].line_net'],
    ['LINES_BASE_MISMATCH', 'vat_breakdown[0].base'],
    ['LINES_BASE_MISMATCH', 'vat_breakdown[1].base'],
    ['LINE_RATE_NOT_IN_BREAKDOWN', 'lines[2].vat_rate'],
    ['TOTAL_GROSS_MISMATCH', 'total_gross'],
  ]);
  t.true(result.problems.every((problem) => problem.severity === 'error'));
  for (const problem of result.problems) t.regex(problem.message, /^[A-Z].*\.$/, 'one sentence');
});

test('warnings alone leave an invoice valid', (t) => {
  const invoice = slovakInvoice();
  invoice.supplier.ico = null;
  const result = validateInvoice(invoice, { today: TODAY });
  t.true(result.valid);
  t.deepEqual(codesAndFields(result.problems), [['ICO_MISSING', 'supplier.ico']]);
});

test('a 2024 invoice at 20% is valid, at 23% it is not', (t) => {
  // 154.62 × 20% = 30.924, × 23% = 35.5626
  t.deepEqual(validateInvoice(singleRateInvoice('2024-06-28', '20', '30.92', '185.54'), { today: TODAY }), {
    valid: true,
    problems: [],
  });
  const result = validateInvoice(singleRateInvoice('2024-06-28', '23', '35.56', '190.18'), { today: TODAY });
  t.false(result.valid);
  t.deepEqual(codesAndFields(result.problems), [
    ['VAT_RATE_INVALID', 'vat_breakdown[0].rate'],
    ['VAT_RATE_INVALID', 'lines[0].vat_rate'],
    ['VAT_RATE_INVALID', 'lines[1].vat_rate'],
    ['VAT_RATE_INVALID', 'lines[2].vat_rate'],
  ]);
});

test('a 2026 invoice at 20% is not valid', (t) => {
  const result = validateInvoice(singleRateInvoice('2026-03-02', '20', '30.92', '185.54'), { today: TODAY });
  t.false(result.valid);
  t.deepEqual(
    result.problems.map((problem) => problem.code),
    ['VAT_RATE_INVALID', 'VAT_RATE_INVALID', 'VAT_RATE_INVALID', 'VAT_RATE_INVALID'],
  );
});

test("today defaults to the machine's date", (t) => {
  const invoice = slovakInvoice();
  const now = localToday();
  Object.assign(invoice, { issue_date: now, tax_point_date: now, due_date: now });
  t.deepEqual(validateInvoice(invoice), { valid: true, problems: [] });
});

test('a malformed today is a programming error, not an invoice problem', (t) => {
  const error = t.throws(() => validateInvoice(slovakInvoice(), { today: '25.07.2026' }), { instanceOf: LoaderError });
  t.is(error?.code, 'VALIDATION_TODAY_INVALID');
});
