/**
 * Exact decimal arithmetic for money, quantities and rates. A value is an integer count of
 * 10^-scale units held in a BigInt, so "0.1" + "0.2" is exactly "0.3" and a unit price with
 * three or four decimals keeps every digit: floats would turn a one-cent tolerance into noise.
 */
export interface ExactDecimal {
  readonly units: bigint;
  /** Digits after the decimal point: units × 10^-scale is the value. */
  readonly scale: number;
}

// U+2212 (the typographic minus) is what some PDFs print for credit-note amounts.
const DECIMAL_TEXT = /^([+\-\u2212]?)(\d*)(?:\.(\d*))?$/;

/** Reads "1823.40", "-5", "0.125", "+.5", "−12.345"; anything else (empty, commas, exponents) is null. */
export function parseDecimal(text: string): ExactDecimal | null {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  const magnitude = BigInt(`${whole}${fraction}` || '0');
  return { units: sign === '' || sign === '+' ? magnitude : -magnitude, scale: fraction.length };
}

export function decimalOf(value: bigint | number, scale = 0): ExactDecimal {
  return { units: BigInt(value), scale };
}

export const ZERO: ExactDecimal = decimalOf(0);
export const ONE_CENT: ExactDecimal = decimalOf(1, 2);

function rescale(value: ExactDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function add(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function subtract(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return add(a, negate(b));
}

export function negate(value: ExactDecimal): ExactDecimal {
  return { units: -value.units, scale: value.scale };
}

export function multiply(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** Percent of a value, exactly: dividing by 100 only moves the decimal point. */
export function percentOf(value: ExactDecimal, percent: ExactDecimal): ExactDecimal {
  const product = multiply(value, percent);
  return { units: product.units, scale: product.scale + 2 };
}

export function sum(values: Iterable<ExactDecimal>): ExactDecimal {
  let total = ZERO;
  for (const value of values) total = add(total, value);
  return total;
}

/** -1, 0 or 1, comparing values, not digits: "23.00" equals "23". */
export function compare(a: ExactDecimal, b: ExactDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const difference = rescale(a, scale) - rescale(b, scale);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

export function equals(a: ExactDecimal, b: ExactDecimal): boolean {
  return compare(a, b) === 0;
}

export function abs(value: ExactDecimal): ExactDecimal {
  return value.units < 0n ? negate(value) : value;
}

/** Whether a and b differ by at most the tolerance. */
export function isWithin(a: ExactDecimal, b: ExactDecimal, tolerance: ExactDecimal): boolean {
  return compare(abs(subtract(a, b)), tolerance) <= 0;
}

/**
 * Rounds half away from zero, the commercial "half-up" invoices use: 0.125 → 0.13 and
 * -0.125 → -0.13, so a credit note mirrors the invoice it corrects cent for cent.
 */
export function roundHalfUp(value: ExactDecimal, places = 2): ExactDecimal {
  if (value.scale <= places) return { units: rescale(value, places), scale: places };
  const divisor = 10n ** BigInt(value.scale - places);
  const magnitude = value.units < 0n ? -value.units : value.units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return { units: value.units < 0n ? -rounded : rounded, scale: places };
}

/** The same value with trailing fractional zeros dropped: "23.00" → "23", so equal values print alike. */
export function normalize(value: ExactDecimal): ExactDecimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** Plain text with every digit of the scale: {units: -5n, scale: 2} → "-0.05". */
export function formatDecimal(value: ExactDecimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = value.scale > 0 ? `.${digits.slice(digits.length - value.scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
