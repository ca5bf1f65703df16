/**
 * Arithmetic decides what the numbers of an items table mean. Every meaning the header words
 * allow is tried; the one under which the most lines reconcile wins: quantity × unit price
 * (less discount) is the net, net × rate is the VAT, net + VAT is the gross — each within a cent,
 * because each printed amount was rounded on its own.
 */
import type { Decimal } from '../../invoice/normalizedInvoice.ts';
import {
  add,
  decimalOf,
  formatDecimal,
  isWithin,
  multiply,
  ONE_CENT,
  parseDecimal,
  percentOf,
  roundHalfUp,
  subtract,
  type ExactDecimal,
} from '../../validate/decimal.ts';
import type { ColumnRole } from './columnWords.ts';
import type { Column, RawItem } from './itemTable.ts';

export type Values = Partial<Record<ColumnRole, ExactDecimal>>;

export interface LineReading {
  values: Values;
  /** The net amount, printed or (for gross-only prices) worked out; null when neither. */
  net: ExactDecimal | null;
  gross: ExactDecimal | null;
  passes: number;
  fails: number;
}

const HUNDRED = decimalOf(100);
const TWO_CENTS = decimalOf(2, 2);
const MAX_VAT_RATE = decimalOf(30);

/** value × 100 / (100 + rate), to the cent: the net inside a gross amount. */
export function netOfGross(gross: ExactDecimal, rate: ExactDecimal): ExactDecimal {
  const divisor = add(HUNDRED, rate);
  // Scale both to integers of the same scale, divide with four more places, then round to cents.
  const scale = Math.max(gross.scale, divisor.scale);
  const numerator = gross.units * 10n ** BigInt(scale - gross.scale) * 100n * 10n ** 4n;
  const denominator = divisor.units * 10n ** BigInt(scale - divisor.scale);
  return roundHalfUp({ units: numerator / denominator, scale: 4 }, 2);
}

const cents = (value: ExactDecimal) => roundHalfUp(value, 2);
/** A printed amount is right within one unit of its last printed digit, at most a cent: whole forints or cents. */
const near = (computed: ExactDecimal, printed: ExactDecimal, slack = ONE_CENT) => {
  const unit = printed.scale >= 2 ? slack : decimalOf(10 ** (2 - printed.scale) * Number(slack.units), 2);
  return isWithin(computed, printed, unit);
};
const discounted = (amount: ExactDecimal, discount: ExactDecimal | undefined) =>
  discount === undefined ? amount : percentOf(amount, subtract(HUNDRED, discount));
const withVat = (net: ExactDecimal, rate: ExactDecimal) => percentOf(net, add(HUNDRED, rate));

/** How one line's numbers agree with each other under the given meanings. */
export function readLine(values: Values): LineReading {
  const { quantity: q, unit_price: p, unit_price_gross: pg, discount: d, vat_rate: r, vat: v, gross: g } = values;
  let passes = 0;
  let fails = 0;
  const check = (ok: boolean) => (ok ? passes++ : fails++);
  if (r !== undefined && (r.units < 0n || isAbove(r, MAX_VAT_RATE))) fails += 1;
  if (d !== undefined && (d.units < 0n || isAbove(d, HUNDRED))) fails += 1;

  let net = values.net ?? null;
  if (net === null && g !== undefined && r !== undefined) net = netOfGross(g, r);
  if (net === null && g !== undefined && v !== undefined) net = subtract(g, v);
  if (net === null && q !== undefined && pg !== undefined && r !== undefined)
    net = netOfGross(cents(discounted(multiply(q, pg), d)), r);

  if (values.net !== undefined) {
    if (q !== undefined && p !== undefined) check(near(cents(discounted(multiply(q, p), d)), values.net));
    if (r !== undefined && v !== undefined) check(near(cents(percentOf(values.net, r)), v));
    if (v !== undefined && g !== undefined) check(near(add(values.net, v), g));
    else if (r !== undefined && g !== undefined) check(near(cents(withVat(values.net, r)), g));
    if (q !== undefined && pg !== undefined && r !== undefined && g === undefined)
      check(near(cents(discounted(multiply(q, pg), d)), cents(withVat(values.net, r)), TWO_CENTS));
  } else {
    if (q !== undefined && pg !== undefined && g !== undefined) check(near(cents(discounted(multiply(q, pg), d)), g));
    if (q !== undefined && p !== undefined && g !== undefined && r !== undefined)
      check(near(cents(withVat(cents(discounted(multiply(q, p), d)), r)), g, TWO_CENTS));
    if (g !== undefined && r !== undefined && v !== undefined && net !== null) check(near(cents(percentOf(net, r)), v));
  }
  let gross = g ?? null;
  if (gross === null && net !== null && v !== undefined) gross = add(net, v);
  if (gross === null && net !== null && r !== undefined) gross = cents(withVat(net, r));
  return { values, net, gross, passes, fails };
}

const isAbove = (value: ExactDecimal, limit: ExactDecimal) => subtract(value, limit).units > 0n;

export const reconciles = (line: LineReading) => line.net !== null && line.fails === 0 && line.passes > 0;

export interface Assignment {
  /** Column index → the meaning chosen for it. */
  roles: Map<number, ColumnRole>;
  lines: LineReading[];
}

/** The meanings of the table's number columns under which the most lines reconcile. */
export function assignColumns(columns: Column[], items: RawItem[]): Assignment {
  const numeric = [...new Set(items.flatMap((item) => [...item.numbers.keys()]))].sort((a, b) => a - b);
  let best: { assignment: Assignment; score: number[] } | null = null;
  const chosen = new Map<number, ColumnRole>();
  const visit = (at: number, prior: number) => {
    if (at === numeric.length) {
      const lines = items.map((item) => readLine(valuesOf(item, chosen)));
      const score = [
        lines.filter(reconciles).length,
        lines.filter((line) => line.net !== null).length,
        lines.reduce((total, line) => total + line.passes - line.fails, 0),
        prior,
      ];
      if (best === null || isBetter(score, best.score)) best = { assignment: { roles: new Map(chosen), lines }, score };
      return;
    }
    const column = numeric[at]!;
    const isPercent = items.some((item) => item.percent.has(column));
    const roles = columns[column]!.roles.filter((role) => !isPercent || role === 'vat_rate' || role === 'discount');
    const used = new Set(chosen.values());
    for (const [rank, role] of roles.entries()) {
      if (used.has(role)) continue;
      chosen.set(column, role);
      visit(at + 1, prior + (rank === 0 ? 2 : 1));
      chosen.delete(column);
    }
    visit(at + 1, prior); // the column means nothing the arithmetic knows
  };
  visit(0, 0);
  return best!.assignment;
}

function isBetter(score: number[], than: number[]): boolean {
  for (const [index, value] of score.entries()) {
    if (value !== than[index]) return value > than[index]!;
  }
  return false;
}

function valuesOf(item: RawItem, roles: Map<number, ColumnRole>): Values {
  const values: Values = {};
  for (const [column, role] of roles) {
    const printed = item.numbers.get(column);
    const value = printed === undefined ? null : parseDecimal(printed);
    if (value !== null) values[role] = value;
  }
  return values;
}

/** The printed text of a meaning, or null. */
export function printedValue(item: RawItem, roles: Map<number, ColumnRole>, role: ColumnRole): Decimal | null {
  for (const [column, chosen] of roles) if (chosen === role) return item.numbers.get(column) ?? null;
  return null;
}

export const money = (value: ExactDecimal): Decimal => formatDecimal(roundHalfUp(value, 2));
