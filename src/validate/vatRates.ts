import type { IsoDate, NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { parseIsoDate } from './calendarDate.ts';
import { decimalOf, equals, formatDecimal, type ExactDecimal } from './decimal.ts';
import { amountOf } from './decimalFields.ts';
import { error, type ValidationProblem } from './problem.ts';
import { hasText } from './presence.ts';
import { isSlovakSupplier } from './supplierOrigin.ts';

interface RatePeriod {
  /** First tax-point date the rates apply to. */
  from: IsoDate;
  rates: readonly number[];
}

/**
 * Slovak VAT rates by tax-point date, newest first; 0 stands for exempt supplies, reverse
 * charge and intra-EU deliveries. Before 2025 the 5% rate covered only a narrow list of goods
 * and services, and not in every year; accepting it for every earlier date keeps one simple
 * period, at the price of not catching 5% on an old invoice where it did not yet exist.
 */
const SLOVAK_VAT_RATES: readonly RatePeriod[] = [
  { from: '2025-01-01', rates: [23, 19, 5, 0] },
  { from: '0000-01-01', rates: [20, 10, 5, 0] },
];

export function slovakVatRatesOn(date: IsoDate): readonly number[] {
  return SLOVAK_VAT_RATES.find((period) => date >= period.from)?.rates ?? [];
}

/**
 * Every rate on the VAT breakdown and on the lines must be one Slovakia charged on the tax-point
 * date (the issue date when the invoice does not print one). A foreign supplier charges its own
 * country's rates, or 0 under reverse charge, so its invoices are not checked here.
 */
export function checkVatRates(invoice: NormalizedInvoice): ValidationProblem[] {
  if (!isSlovakSupplier(invoice.supplier)) return [];
  const date = hasText(invoice.tax_point_date) ? invoice.tax_point_date : invoice.issue_date;
  // Without a valid date there is no period to check against; the date rules report why.
  if (!hasText(date) || parseIsoDate(date) === null) return [];
  const allowed = slovakVatRatesOn(date).map((rate) => decimalOf(rate));
  const rates = [
    ...invoice.vat_breakdown.map((row, index) => ({ field: `vat_breakdown[${index}].rate`, value: row.rate })),
    ...invoice.lines.map((line, index) => ({ field: `lines[${index}].vat_rate`, value: line.vat_rate })),
  ];
  return rates.flatMap(({ field, value }) => {
    const rate = amountOf(value);
    if (rate === null || allowed.some((candidate) => equals(candidate, rate))) return [];
    return [
      error(
        'VAT_RATE_INVALID',
        field,
        `VAT rate ${value}% is not a Slovak rate on ${date} (valid then: ${describe(allowed)}).`,
      ),
    ];
  });
}

function describe(rates: ExactDecimal[]): string {
  return rates.map((rate) => `${formatDecimal(rate)}%`).join(', ');
}
