import { LoaderError } from '../errors.ts';
import { emptyLine, type InvoiceLine, type VatBreakdownRow } from '../invoice/normalizedInvoice.ts';
import { headerField, HEADER_FIELDS, type HeaderValue } from '../invoice/operatorEdits.ts';
import { parseIsoDate } from '../validate/calendarDate.ts';
import { LINE_DECIMALS } from '../validate/decimalFields.ts';

/**
 * A correction as people and integrations send it (`PATCH /api/invoices/:id`, the CLI, the
 * invoice page): `{ header?: {column: value}, lines?: [the full lines array], reason? }`.
 * Everything is checked before anything is stored, and a refusal names the field: an amount
 * is a decimal string ("1823.40"), never a JSON number, which a float would already have
 * rounded on the way in.
 */
export interface CorrectionRequest {
  header: Record<string, HeaderValue>;
  /** Numbered 1… in the order given. */
  lines: InvoiceLine[] | null;
  reason: string | null;
}

/** Plain decimal text: "-12.50", "3", "0.125"; no spaces, commas, exponents or signs other than '-'. */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;
const DOCUMENT_TYPES = ['invoice', 'credit_note', 'advance_invoice', 'payment_tax_document'];
const LINE_DECIMAL_SET = new Set<string>(LINE_DECIMALS);
const LINE_TEXTS = new Set(['item_code', 'ean', 'description', 'unit']);
const TOP_LEVEL = new Set(['header', 'lines', 'reason']);

export function correctionInvalid(field: string, sentence: string): LoaderError {
  return new LoaderError('CORRECTION_INVALID', `${field}: ${sentence}`, { details: { field } });
}

export function parseCorrectionRequest(body: unknown): CorrectionRequest {
  if (!isObject(body)) throw correctionInvalid('body', 'send a JSON object { header?, lines?, reason? }.');
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.has(key)) throw correctionInvalid(key, 'is not part of a correction (header, lines, reason).');
  }
  const header: Record<string, HeaderValue> = {};
  if (body.header !== undefined && body.header !== null) {
    if (!isObject(body.header)) throw correctionInvalid('header', 'must be an object of field: value.');
    for (const [column, value] of Object.entries(body.header)) header[column] = headerInput(column, value);
  }
  let lines: InvoiceLine[] | null = null;
  if (body.lines !== undefined && body.lines !== null) {
    if (!Array.isArray(body.lines)) throw correctionInvalid('lines', 'must be the full array of lines.');
    lines = body.lines.map((line, index) => lineInput(line, index));
  }
  if (body.reason !== undefined && body.reason !== null && typeof body.reason !== 'string') {
    throw correctionInvalid('reason', 'must be text.');
  }
  if (Object.keys(header).length === 0 && lines === null) {
    throw correctionInvalid('body', 'names nothing to correct: send header fields, lines, or both.');
  }
  return { header, lines, reason: typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim() : null };
}

function headerInput(column: string, value: unknown): HeaderValue {
  const field = headerField(column);
  if (!field) {
    throw correctionInvalid(
      `header.${column}`,
      `is not a field that can be corrected; use one of: ${HEADER_FIELDS.map((f) => f.column).join(', ')}.`,
    );
  }
  const name = `header.${column}`;
  switch (field.kind) {
    case 'vat_breakdown':
      return vatBreakdownInput(name, value);
    case 'decimal':
      return decimalInput(name, value);
    case 'date':
      return checkedText(name, value, (text) => parseIsoDate(text) !== null, 'is not a date (YYYY-MM-DD)');
    case 'currency':
      return checkedText(name, value, (text) => CURRENCY.test(text), 'is not a currency code (EUR, CZK …)');
    case 'document_type':
      return checkedText(
        name,
        value,
        (text) => DOCUMENT_TYPES.includes(text),
        `is not one of ${DOCUMENT_TYPES.join(', ')}`,
      );
    case 'text':
      return textInput(name, value);
  }
}

function vatBreakdownInput(name: string, value: unknown): VatBreakdownRow[] {
  if (!Array.isArray(value)) throw correctionInvalid(name, 'must be an array of { rate, base, tax }.');
  return value.map((row, index) => {
    const at = `${name}[${index}]`;
    if (!isObject(row)) throw correctionInvalid(at, 'must be an object { rate, base, tax }.');
    for (const key of Object.keys(row)) {
      if (!['rate', 'base', 'tax'].includes(key)) throw correctionInvalid(`${at}.${key}`, 'is not part of a VAT row.');
    }
    const amount = (key: 'rate' | 'base' | 'tax') => {
      const parsed = decimalInput(`${at}.${key}`, row[key]);
      if (parsed === null) throw correctionInvalid(`${at}.${key}`, 'is required.');
      return parsed;
    };
    return { rate: amount('rate'), base: amount('base'), tax: amount('tax') };
  });
}

function lineInput(value: unknown, index: number): InvoiceLine {
  const at = `lines[${index}]`;
  if (!isObject(value)) throw correctionInvalid(at, 'must be an object.');
  const line = emptyLine(index + 1);
  for (const [key, given] of Object.entries(value)) {
    // The position in the array numbers the line; a number sent along is not a second truth.
    if (key === 'line_number') continue;
    if (LINE_DECIMAL_SET.has(key))
      (line as unknown as Record<string, unknown>)[key] = decimalInput(`${at}.${key}`, given);
    else if (LINE_TEXTS.has(key)) (line as unknown as Record<string, unknown>)[key] = textInput(`${at}.${key}`, given);
    else throw correctionInvalid(`${at}.${key}`, 'is not a field of a line.');
  }
  return line;
}

function decimalInput(name: string, value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value === 'number') {
    throw correctionInvalid(name, `send amounts as decimal text ("${value}"), not as a JSON number.`);
  }
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) {
    throw correctionInvalid(name, `"${String(value)}" is not a decimal number (like 1823.40).`);
  }
  return value.trim();
}

function textInput(name: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw correctionInvalid(name, 'must be text or null.');
  return value.trim() || null;
}

function checkedText(name: string, value: unknown, valid: (text: string) => boolean, fault: string): string | null {
  const text = textInput(name, value);
  if (text !== null && !valid(text)) throw correctionInvalid(name, `"${text}" ${fault}.`);
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
