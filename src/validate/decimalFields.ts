import type { Decimal, NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { parseDecimal, type ExactDecimal } from './decimal.ts';
import { error, type ValidationProblem } from './problem.ts';
import { hasText } from './presence.ts';

export interface DecimalField {
  field: string;
  value: Decimal | null;
}

/** The decimal fields of an invoice line: checked here, compared by value in corrections. */
export const LINE_DECIMALS = [
  'quantity',
  'discount_percent',
  'unit_price',
  'unit_price_with_vat',
  'vat_rate',
  'line_net',
  'line_gross',
] as const;

/** Every amount, quantity, price and rate of the invoice with its dotted path. */
export function decimalFields(invoice: NormalizedInvoice): DecimalField[] {
  return [
    ...invoice.vat_breakdown.flatMap((row, index) =>
      (['rate', 'base', 'tax'] as const).map((key) => ({ field: `vat_breakdown[${index}].${key}`, value: row[key] })),
    ),
    ...(['total_net', 'total_vat', 'total_gross', 'amount_due'] as const).map((key) => ({
      field: key,
      value: invoice[key],
    })),
    ...invoice.lines.flatMap((line, index) =>
      LINE_DECIMALS.map((key) => ({ field: `lines[${index}].${key}`, value: line[key] })),
    ),
  ];
}

/** The value for arithmetic, or null when it is absent or not a number (reported by checkDecimalFields). */
export function amountOf(value: Decimal | null): ExactDecimal | null {
  return hasText(value) ? parseDecimal(value) : null;
}

/**
 * A decimal field that does not parse ("1 823,40", "12%") means the extractor failed to
 * normalize it; the sum and rate checks skip such a value, so it is reported here, once.
 */
export function checkDecimalFields(invoice: NormalizedInvoice): ValidationProblem[] {
  return decimalFields(invoice).flatMap(({ field, value }) =>
    value !== null && parseDecimal(value) === null
      ? [error('DECIMAL_INVALID', field, `The value "${value}" of ${field} is not a decimal number.`)]
      : [],
  );
}
