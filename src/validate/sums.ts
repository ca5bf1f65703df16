import type { InvoiceLine, NormalizedInvoice, VatBreakdownRow } from '../invoice/normalizedInvoice.ts';
import {
  add,
  decimalOf,
  formatDecimal,
  isWithin,
  multiply,
  normalize,
  percentOf,
  roundHalfUp,
  subtract,
  sum,
  ZERO,
  type ExactDecimal,
} from './decimal.ts';
import { amountOf } from './decimalFields.ts';
import { error, type ValidationProblem } from './problem.ts';

/**
 * Arithmetic the printed amounts must satisfy. Each amount on an invoice was rounded to the
 * cent on its own, so a sum of n rounded amounts may drift from the rounded total by up to a
 * cent per term: that is the tolerance. A check whose inputs are missing or not numbers is
 * skipped; the required-fields and decimal-field rules say why.
 */
export function checkSums(invoice: NormalizedInvoice): ValidationProblem[] {
  const breakdown = parseBreakdown(invoice.vat_breakdown);
  return [
    ...checkLineNets(invoice.lines),
    ...(breakdown ? checkLinesAgainstBreakdown(invoice.lines, breakdown) : []),
    ...checkBreakdownTaxes(invoice.vat_breakdown),
    ...(breakdown ? checkBreakdownAgainstTotals(invoice, breakdown) : []),
    ...checkGrossTotal(invoice),
  ];
}

/** One cent per summed amount, and at least one cent. */
function tolerance(terms: number): ExactDecimal {
  return decimalOf(Math.max(terms, 1), 2);
}

/** A computed expectation, rounded as the supplier would print it. */
const money = (value: ExactDecimal) => formatDecimal(roundHalfUp(value, 2));
/** A sum of printed amounts: every digit, and at least the cents. */
const exact = (value: ExactDecimal) => formatDecimal(value.scale < 2 ? roundHalfUp(value, 2) : value);
const rateText = (rate: ExactDecimal) => `${formatDecimal(normalize(rate))}%`;

interface ParsedRow {
  index: number;
  rate: ExactDecimal;
  base: ExactDecimal;
  tax: ExactDecimal;
}

/** The breakdown as numbers, or null when a row does not parse (then no total can be trusted). */
function parseBreakdown(rows: VatBreakdownRow[]): ParsedRow[] | null {
  const parsed: ParsedRow[] = [];
  for (const [index, row] of rows.entries()) {
    const [rate, base, tax] = [amountOf(row.rate), amountOf(row.base), amountOf(row.tax)];
    if (rate === null || base === null || tax === null) return null;
    parsed.push({ index, rate, base, tax });
  }
  return parsed;
}

/** quantity × unit price × (1 − discount / 100) is the line's net amount. */
function checkLineNets(lines: InvoiceLine[]): ValidationProblem[] {
  return lines.flatMap((line, index) => {
    const [quantity, unitPrice, lineNet] = [
      amountOf(line.quantity),
      amountOf(line.unit_price),
      amountOf(line.line_net),
    ];
    if (quantity === null || unitPrice === null || lineNet === null) return [];
    const discount = line.discount_percent === null ? ZERO : amountOf(line.discount_percent);
    if (discount === null) return [];
    const expected = percentOf(multiply(quantity, unitPrice), subtract(decimalOf(100), discount));
    if (isWithin(expected, lineNet, tolerance(1))) return [];
    const less = line.discount_percent === null ? '' : ` less ${line.discount_percent}%`;
    return [
      error(
        'LINE_NET_MISMATCH',
        `lines[${index}].line_net`,
        `Line ${line.line_number}: ${line.quantity} × ${line.unit_price}${less} is ${money(expected)}, but its net amount is ${line.line_net}.`,
      ),
    ];
  });
}

/** A line that carries no amount at all is a text line (a note, a delivery reference) and adds nothing. */
function carriesAmount(line: InvoiceLine): boolean {
  return [line.quantity, line.unit_price, line.unit_price_with_vat, line.line_net, line.line_gross].some(
    (value) => amountOf(value) !== null,
  );
}

/**
 * The lines at each rate add up to that rate's base. Only when every line that carries an
 * amount has a net amount and a rate: a sum over some of the lines would report a false gap.
 */
function checkLinesAgainstBreakdown(lines: InvoiceLine[], breakdown: ParsedRow[]): ValidationProblem[] {
  if (breakdown.length === 0) return [];
  const groups = new Map<string, { rate: ExactDecimal; lineIndexes: number[]; total: ExactDecimal }>();
  for (const [index, line] of lines.entries()) {
    if (!carriesAmount(line)) continue;
    const [rate, lineNet] = [amountOf(line.vat_rate), amountOf(line.line_net)];
    if (rate === null || lineNet === null) return [];
    const key = formatDecimal(normalize(rate));
    const group = groups.get(key) ?? { rate, lineIndexes: [], total: ZERO };
    groups.set(key, { rate, lineIndexes: [...group.lineIndexes, index], total: add(group.total, lineNet) });
  }
  if (groups.size === 0) return [];

  const problems: ValidationProblem[] = [];
  const rowsByRate = new Map<string, ParsedRow[]>();
  for (const row of breakdown) {
    const key = formatDecimal(normalize(row.rate));
    rowsByRate.set(key, [...(rowsByRate.get(key) ?? []), row]);
  }
  for (const [key, rows] of rowsByRate) {
    const first = rows[0]!;
    const group = groups.get(key);
    const linesTotal = group?.total ?? ZERO;
    const count = group?.lineIndexes.length ?? 0;
    const base = sum(rows.map((row) => row.base));
    if (isWithin(linesTotal, base, tolerance(count))) continue;
    const at = rateText(first.rate);
    const found =
      count === 0
        ? `No line is at ${at}`
        : count === 1
          ? `The 1 line at ${at} comes to ${exact(linesTotal)}`
          : `The ${count} lines at ${at} add up to ${exact(linesTotal)}`;
    problems.push(
      error(
        'LINES_BASE_MISMATCH',
        `vat_breakdown[${first.index}].base`,
        `${found}, but the VAT base at that rate is ${exact(base)}.`,
      ),
    );
  }
  for (const [key, group] of groups) {
    if (rowsByRate.has(key) || isWithin(group.total, ZERO, tolerance(group.lineIndexes.length))) continue;
    const firstIndex = group.lineIndexes[0]!;
    problems.push(
      error(
        'LINE_RATE_NOT_IN_BREAKDOWN',
        `lines[${firstIndex}].vat_rate`,
        `Lines at ${rateText(group.rate)} add up to ${exact(group.total)}, but the VAT breakdown has no row for that rate.`,
      ),
    );
  }
  return problems;
}

/** base × rate / 100 is the row's VAT; computed exactly, compared to the printed, rounded tax. */
function checkBreakdownTaxes(rows: VatBreakdownRow[]): ValidationProblem[] {
  return rows.flatMap((row, index) => {
    const [rate, base, tax] = [amountOf(row.rate), amountOf(row.base), amountOf(row.tax)];
    if (rate === null || base === null || tax === null) return [];
    const expected = percentOf(base, rate);
    if (isWithin(expected, tax, tolerance(1))) return [];
    return [
      error(
        'VAT_TAX_MISMATCH',
        `vat_breakdown[${index}].tax`,
        `VAT at ${rateText(rate)} of ${row.base} is ${money(expected)}, but the VAT breakdown says ${row.tax}.`,
      ),
    ];
  });
}

/** The bases add up to the total net amount and the taxes to the total VAT. */
function checkBreakdownAgainstTotals(invoice: NormalizedInvoice, breakdown: ParsedRow[]): ValidationProblem[] {
  if (breakdown.length === 0) return [];
  const problems: ValidationProblem[] = [];
  const within = tolerance(breakdown.length);
  const totalNet = amountOf(invoice.total_net);
  const bases = sum(breakdown.map((row) => row.base));
  if (totalNet !== null && !isWithin(bases, totalNet, within)) {
    problems.push(
      error(
        'TOTAL_NET_MISMATCH',
        'total_net',
        `The VAT bases add up to ${exact(bases)}, but the total net amount is ${invoice.total_net}.`,
      ),
    );
  }
  const totalVat = amountOf(invoice.total_vat);
  const taxes = sum(breakdown.map((row) => row.tax));
  if (totalVat !== null && !isWithin(taxes, totalVat, within)) {
    problems.push(
      error(
        'TOTAL_VAT_MISMATCH',
        'total_vat',
        `The VAT amounts per rate add up to ${exact(taxes)}, but the total VAT is ${invoice.total_vat}.`,
      ),
    );
  }
  return problems;
}

/**
 * Net plus VAT is the gross total. Both totals are already rounded to the cent, so one cent
 * covers a gross total computed from unrounded figures.
 */
function checkGrossTotal(invoice: NormalizedInvoice): ValidationProblem[] {
  const [totalNet, totalVat, totalGross] = [
    amountOf(invoice.total_net),
    amountOf(invoice.total_vat),
    amountOf(invoice.total_gross),
  ];
  if (totalNet === null || totalVat === null || totalGross === null) return [];
  const expected = add(totalNet, totalVat);
  if (isWithin(expected, totalGross, tolerance(1))) return [];
  return [
    error(
      'TOTAL_GROSS_MISMATCH',
      'total_gross',
      `Net ${invoice.total_net} plus VAT ${invoice.total_vat} is ${exact(expected)}, but the gross total is ${invoice.total_gross}.`,
    ),
  ];
}
