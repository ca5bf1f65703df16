/**
 * A captured piece of text turned into the value a field holds, by the field's type. Null
 * means "this match is not a value of that type", and the next match or pattern is tried.
 */
import { parseDate, type DateFormat } from '../pdf/dates.ts';
import { parseDecimal, parseRate, type NumberStyle } from '../pdf/numbers.ts';
import type { ValueType } from './templateSchema.ts';

export interface ValueContext {
  numberStyle: NumberStyle;
  dateFormats: readonly DateFormat[];
}

const CURRENCY_SYMBOLS: Record<string, string> = {
  '€': 'EUR',
  EURO: 'EUR',
  KČ: 'CZK',
  FT: 'HUF',
  $: 'USD',
  '£': 'GBP',
};
const CURRENCY_IN_AMOUNT = /(?:EUR|CZK|HUF|USD|GBP|PLN|CHF|€|Kč|Ft)/giu;
const DOCUMENT_TYPES = new Set(['invoice', 'credit_note', 'advance_invoice', 'payment_tax_document']);

export function convertValue(captured: string, type: ValueType, context: ValueContext): string | null {
  const text = captured.trim();
  if (text === '') return null;
  switch (type) {
    case 'text':
      return text.replace(/\s+/g, ' ');
    case 'id':
      return text.replace(/\s+/g, '');
    case 'date':
      return parseDate(text, context.dateFormats);
    case 'amount':
      return parseDecimal(text.replace(CURRENCY_IN_AMOUNT, '').trim(), context.numberStyle);
    case 'decimal':
      return parseDecimal(text, context.numberStyle);
    case 'rate':
      return parseRate(text, context.numberStyle);
    case 'currency':
      return currencyCode(text);
    case 'document_type':
      return DOCUMENT_TYPES.has(text) ? text : null;
  }
}

function currencyCode(text: string): string | null {
  const upper = text.toUpperCase();
  const known = CURRENCY_SYMBOLS[upper];
  if (known !== undefined) return known;
  return /^[A-Z]{3}$/.test(upper) ? upper : null;
}
