import test from 'ava';
import { checkDecimalFields } from '../../src/validate/decimalFields.ts';
import { codesAndFields, slovakInvoice } from './slovakInvoice.ts';

test('amounts, quantities and rates written as plain decimals have no problems', (t) => {
  t.deepEqual(checkDecimalFields(slovakInvoice()), []);
});

test('each amount an extractor left unnormalized is named once, with its path', (t) => {
  const invoice = slovakInvoice();
  invoice.vat_breakdown[1]!.base = '37,47';
  invoice.total_gross = '183.43 €';
  invoice.lines[2]!.discount_percent = '10%';
  invoice.lines[0]!.quantity = '';
  const problems = checkDecimalFields(invoice);
  t.deepEqual(codesAndFields(problems), [
    ['DECIMAL_INVALID', 'vat_breakdown[1].base'],
    ['DECIMAL_INVALID', 'total_gross'],
    ['DECIMAL_INVALID', 'lines[0].quantity'],
    ['DECIMAL_INVALID', 'lines[2].discount_percent'],
  ]);
  t.is(problems[0]!.message, 'The value "37,47" of vat_breakdown[1].base is not a decimal number.');
});
