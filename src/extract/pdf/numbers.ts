/**
 * Numbers as printed on Slovak, Czech, German, Hungarian and English invoices, turned into the
 * decimal strings the normalized invoice carries ("1 234,50" → "1234.50", "39,900" → "39.900").
 * The printed decimals are kept: a price of 39,900 is not 39.9, and a float is never involved.
 */
import type { Decimal } from '../../invoice/normalizedInvoice.ts';

export interface NumberStyle {
  /**
   * Which mark separates decimals when the text alone cannot tell. Only "1.234" (one dot, three
   * digits after it) is in doubt: a decimal point in English, a thousands dot in German and
   * Slovak. 'auto' reads it as a decimal point, the way a lone comma is always a decimal comma.
   */
  decimalMark?: ',' | '.' | 'auto';
}

// Every minus sign seen on invoices: hyphen-minus, the real minus, en and em dash.
const MINUS = /^[-\u2212\u2013\u2014]$/;
// Spaces used between thousands groups: space, no-break space, narrow no-break space, thin space.
const SPACES = /[ \u00a0\u202f\u2009]/g;
const APOSTROPHES = /['\u2019]/g;

/**
 * The decimal string of a printed number, or null when the text is not exactly one number.
 * Accepts a decimal comma or point; thousands grouped by space, no-break space, dot, comma or
 * apostrophe (groups of three, checked, so "16 09" is not a number); a leading or trailing
 * minus. Negative zero becomes zero.
 */
export function parseDecimal(printed: string, style: NumberStyle = {}): Decimal | null {
  let text = printed.trim();
  let negative = false;
  if (text.length > 1 && MINUS.test(text[0]!)) {
    negative = true;
    text = text.slice(1).trimStart();
  } else if (text.startsWith('+')) {
    text = text.slice(1).trimStart();
  } else if (text.length > 1 && MINUS.test(text.at(-1)!)) {
    negative = true;
    text = text.slice(0, -1).trimEnd();
  }
  if (!/^[\d.,' \u00a0\u202f\u2009\u2019]+$/.test(text) || !/^\d|^[.,]\d/.test(text) || !/\d$/.test(text)) return null;

  const split = splitDecimals(text, style.decimalMark ?? 'auto');
  if (split === null) return null;
  const integer = checkedIntegerDigits(split.integer);
  if (integer === null) return null;

  const digits = integer.replace(/^0+(?=\d)/, '') || '0';
  const value = split.decimals === null ? digits : `${digits}.${split.decimals}`;
  const isZero = /^[0.]+$/.test(value);
  return negative && !isZero ? `-${value}` : value;
}

function splitDecimals(
  text: string,
  decimalMark: ',' | '.' | 'auto',
): { integer: string; decimals: string | null } | null {
  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  const commas = count(text, ',');
  const dots = count(text, '.');

  let mark: ',' | '.' | null;
  if (commas > 0 && dots > 0) mark = lastComma > lastDot ? ',' : '.';
  else if (commas === 1) mark = decimalMark === '.' && /,\d{3}$/.test(text) && !/^[,]/.test(text) ? null : ',';
  else if (dots === 1) mark = decimalMark === ',' && /\.\d{3}$/.test(text) && !/^[.]/.test(text) ? null : '.';
  else mark = null; // no mark, or the same mark repeated: thousands separators only

  if (mark === null) return { integer: text, decimals: null };
  const at = text.lastIndexOf(mark);
  const decimals = text.slice(at + 1);
  if (!/^\d+$/.test(decimals)) return null;
  const integer = text.slice(0, at);
  if (integer.includes(mark)) return null; // "1,234,56": a decimal mark twice
  return { integer: integer === '' ? '0' : integer, decimals };
}

/** The integer digits, or null when its thousands separators do not sit between groups of three. */
function checkedIntegerDigits(integer: string): string | null {
  const unified = integer.replace(SPACES, ' ').replace(APOSTROPHES, "'");
  const separators = new Set(unified.replace(/\d/g, ''));
  if (separators.size === 0) return unified;
  if (separators.size > 1) return null; // "1.234 567": two kinds of grouping in one number
  const groups = unified.split([...separators][0]!);
  const [first, ...rest] = groups;
  if (!/^\d{1,3}$/.test(first!) || rest.some((group) => !/^\d{3}$/.test(group))) return null;
  return groups.join('');
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

/**
 * A VAT rate as the normalized invoice writes it: the number without a percent sign and without
 * meaningless trailing zeros ("23 %" → "23", "19,00" → "19", "7,5" → "7.5").
 */
export function parseRate(printed: string, style: NumberStyle = {}): Decimal | null {
  const value = parseDecimal(printed.replace(/%/g, '').trim(), style);
  if (value === null || value.startsWith('-')) return null;
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
