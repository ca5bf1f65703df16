/**
 * A supplier template learned from one corrected invoice: what an operator typed in is found
 * again on the page, and the template says where. Each corrected header field is anchored to
 * the label printed left of its value on the same line; the items table becomes one line
 * pattern, cell by cell, from the corrected lines; the template matches the supplier by its IČO
 * or VAT id and extends the generic one for everything else. The result is plain YAML a person
 * can read and edit (config/templates/README.md).
 */
import { equals, parseDecimal as exactDecimal } from '../../validate/decimal.ts';
import type { InvoiceLine, NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import { valueAtPath } from '../../invoice/operatorEdits.ts';
import { DEFAULT_DATE_FORMATS } from '../pdf/dates.ts';
import type { NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK, type PdfText } from '../pdf/pdfText.ts';
import { defaultType } from './compileTemplate.ts';
import { convertValue, type ValueContext } from './fieldValues.ts';
import { expandMacros } from './patternMacros.ts';
import { HEADER_FIELDS, type HeaderField, type ValueType } from './templateSchema.ts';

export interface LearnInput {
  text: PdfText;
  /** The invoice as corrected: the values to find on the page. */
  invoice: NormalizedInvoice;
  /** The header fields a person corrected (dotted paths), in any order. */
  corrected: string[];
  /** The lines were corrected: learn the items table too. */
  linesCorrected: boolean;
  numberStyle: NumberStyle;
}

export interface LearnedTemplate {
  id: string;
  /** The template as YAML would hold it (config/templates' format). */
  spec: Record<string, unknown>;
  /** What was learned, and what could not be, with the reason: for the operator's screen. */
  learned: string[];
  skipped: Array<{ what: string; why: string }>;
}

/** The macro a captured value of each type is matched by (patternMacros.ts). */
const MACRO_BY_TYPE: Record<ValueType, string> = {
  text: '{cell}',
  id: '{token}',
  date: '{date}',
  amount: '{money}',
  decimal: '{number}',
  rate: '{rate}',
  currency: '{currency}',
  document_type: '{cell}',
};
const ID_MACROS: Record<string, string> = {
  ico: '{ico}',
  dic: '{dic}',
  vat_id: '{vat_id}',
  iban: '{iban}',
  bic: '{bic}',
};
const DATE_FORMATS = ['DD.MM.YYYY', 'YYYY-MM-DD', 'DD/MM/YYYY', 'YYYY.MM.DD', 'D. MMMM YYYY'] as const;

/** Header fields a learned template anchors: those printed as a value after a label (not document_type or currency). */
const LEARNABLE = HEADER_FIELDS.filter((field) => field !== 'document_type' && field !== 'currency');

export function learnTemplate(input: LearnInput): LearnedTemplate {
  const { invoice } = input;
  const lines = input.text.pages.flatMap((page, index) => (index === 0 ? page.lines : [PAGE_BREAK, ...page.lines]));
  const context: ValueContext = { numberStyle: input.numberStyle, dateFormats: DATE_FORMATS };
  const key = invoice.supplier.ico ?? invoice.supplier.vat_id ?? invoice.supplier.ic_dph;
  const learned: string[] = [];
  const skipped: LearnedTemplate['skipped'] = [];
  if (!key) throw new Error('the invoice names no supplier IČO or VAT id to recognise its documents by');
  const id = `learned-${key.toLowerCase().replace(/[^0-9a-z]+/g, '')}`;

  // The corrected fields, and every other field the invoice has: the generic template read those
  // by rules that only its fallback role runs (labels over values, written dates), and the next
  // invoice is read by this template instead. Only a corrected field that cannot be anchored is news.
  const fields: Record<string, string[]> = {};
  const corrected = new Set(input.corrected);
  for (const field of LEARNABLE) {
    const value = valueOf(invoice, field);
    if (value === null) {
      if (corrected.has(field)) skipped.push({ what: field, why: 'it was corrected to empty' });
      continue;
    }
    const anchored = anchor(lines, field, value, context);
    if (typeof anchored === 'string') {
      if (corrected.has(field)) skipped.push({ what: field, why: anchored });
      continue;
    }
    fields[field] = [anchored.pattern];
    if (corrected.has(field)) learned.push(`${field}: after "${anchored.label}"`);
  }

  let linesRule: Record<string, unknown> | undefined;
  if (input.linesCorrected) {
    const table = learnItems(lines, invoice.lines, input.numberStyle);
    if (typeof table === 'string') skipped.push({ what: 'lines', why: table });
    else {
      linesRule = table.rule;
      learned.push(`lines: ${table.describe}`);
    }
  }

  const spec: Record<string, unknown> = {
    id,
    name: `${invoice.supplier.name ?? key} (learned)`,
    extends: 'generic',
    priority: 50,
    // Keywords are compared without spaces, so "36 555 720" on the page matches.
    match: { all: [key] },
    ...(input.numberStyle.decimalMark && input.numberStyle.decimalMark !== 'auto'
      ? { numbers: { decimal_mark: input.numberStyle.decimalMark } }
      : {}),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
    ...(linesRule ? { lines: linesRule } : {}),
  };
  return { id, spec, learned, skipped };
}

function valueOf(invoice: NormalizedInvoice, field: HeaderField): string | null {
  const value = valueAtPath(invoice, field);
  return value === null ? null : String(value);
}

function macroFor(field: HeaderField): { macro: string; type: ValueType } {
  const type = defaultType(field);
  const name = field.split('.').at(-1)!;
  if (type === 'id') return { macro: ID_MACROS[name] ?? '{token}', type };
  if (field === 'invoice_number') return { macro: '{docno}', type };
  return { macro: MACRO_BY_TYPE[type], type };
}

function sameValue(found: string, wanted: string, type: ValueType): boolean {
  if (type === 'amount' || type === 'decimal' || type === 'rate') {
    const a = exactDecimal(found);
    const b = exactDecimal(wanted);
    return a !== null && b !== null && equals(a, b);
  }
  return found === wanted;
}

/**
 * The pattern that reads `value` after the label printed left of it on the same line. Answers
 * why not (a sentence) when the value is not printed, or not after a label.
 */
function anchor(
  lines: string[],
  field: HeaderField,
  value: string,
  context: ValueContext,
): { pattern: string; label: string } | string {
  const { macro, type } = macroFor(field);
  const regex = new RegExp(expandMacros(macro, context.dateFormats), 'gu');
  let unlabelled = false;
  for (const line of lines) {
    for (const match of line.matchAll(regex)) {
      const converted = convertValue(match[0], type, context);
      if (converted === null || !sameValue(converted, value, type)) continue;
      const label = labelBefore(line.slice(0, match.index));
      if (label === null) {
        unlabelled = true;
        continue;
      }
      return { pattern: `${escapeRegex(label)}{gap}(${macro})`, label };
    }
  }
  return unlabelled
    ? `${value} is printed, but with no label before it on its line`
    : `${value} is not printed on the document as a ${type}`;
}

/** The label a value follows: the last cell left of it, without a trailing colon; null if there is none. */
function labelBefore(left: string): string | null {
  const cells = left.trimEnd().split(/[ \t]{2,}/);
  const label = (cells.at(-1) ?? '').replace(/[ \t]*:$/, '').trim();
  return /\p{L}/u.test(label) ? label : null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '[ \\t]+');
}

/** The cells of a line: text separated by two or more spaces. */
const cellsOf = (line: string) => line.trim().split(/[ \t]{2,}/);

type LineField = keyof InvoiceLine;
/** The order a cell is tried against a line's fields: text first, then numbers that rarely coincide. */
const CELL_FIELDS: LineField[] = [
  'description',
  'item_code',
  'ean',
  'unit',
  'line_number',
  'vat_rate',
  'discount_percent',
  'line_gross',
  'line_net',
  'unit_price_with_vat',
  'unit_price',
  'quantity',
];
const CELL_PATTERN: Record<LineField, string> = {
  description: '(?<description>\\S[^\\n]*?)',
  item_code: '(?<item_code>[\\w./-]+)',
  ean: '(?<ean>\\d{8,14})',
  unit: '(?<unit>\\S+)',
  line_number: '(?<line_number>\\d{1,4})',
  vat_rate: '(?<vat_rate>\\d{1,2}(?:[.,]\\d{1,2})?)[ \\t]?%?',
  discount_percent: '(?<discount_percent>\\d{1,2}(?:[.,]\\d{1,2})?)[ \\t]?%?',
  line_gross: '(?<line_gross>{money})',
  line_net: '(?<line_net>{money})',
  unit_price_with_vat: '(?<unit_price_with_vat>{number})',
  unit_price: '(?<unit_price>{number})',
  quantity: '(?<quantity>{number})',
};

function cellIs(cell: string, line: InvoiceLine, field: LineField, style: NumberStyle): boolean {
  const wanted = line[field];
  if (wanted === null || wanted === undefined) return false;
  if (field === 'description' || field === 'item_code' || field === 'ean' || field === 'unit')
    return cell === String(wanted);
  if (field === 'line_number') return cell === String(wanted);
  const type: ValueType = field === 'vat_rate' || field === 'discount_percent' ? 'rate' : 'decimal';
  const converted = convertValue(cell, type, { numberStyle: style, dateFormats: DEFAULT_DATE_FORMATS });
  return converted !== null && sameValue(converted, String(wanted), type);
}

/**
 * One line pattern for the items, cell by cell: each printed cell of an item's row is the line
 * field whose corrected value it shows in every corrected line (a cell no field explains is
 * matched but not captured). The table starts after the row above the first item and ends at the
 * first row after the last one. Answers why not when the rows do not share one shape.
 */
function learnItems(
  lines: string[],
  items: InvoiceLine[],
  style: NumberStyle,
): { rule: Record<string, unknown>; describe: string } | string {
  if (items.length === 0) return 'the corrected invoice has no lines';
  const rows: number[] = [];
  for (const item of items) {
    if (!item.description) return `line ${item.line_number} has no description to find it by`;
    const at = lines.findIndex((text, index) => !rows.includes(index) && cellsOf(text).includes(item.description!));
    if (at < 0) return `line ${item.line_number} ("${item.description}") is not printed as one cell of a row`;
    rows.push(at);
  }
  const cellRows = rows.map((row) => cellsOf(lines[row]!));
  const width = cellRows[0]!.length;
  if (cellRows.some((cells) => cells.length !== width))
    return 'the item rows do not have the same number of cells (multi-line or optional columns are not learned)';
  const columns: Array<LineField | null> = [];
  for (let column = 0; column < width; column += 1) {
    const field = CELL_FIELDS.find(
      (candidate) =>
        !columns.includes(candidate) && items.every((item, i) => cellIs(cellRows[i]![column]!, item, candidate, style)),
    );
    columns.push(field ?? null);
  }
  if (!columns.includes('description')) return 'the descriptions are not cells of their rows';
  const pattern = `^[ \\t]*${columns.map((field) => (field ? CELL_PATTERN[field] : '\\S+(?: \\S+)*')).join('[ \\t]{2,}')}[ \\t]*$`;
  const first = Math.min(...rows);
  const last = Math.max(...rows);
  const header = lines
    .slice(0, first)
    .reverse()
    .find((text) => text.trim() !== '');
  const after = lines.slice(last + 1).find((text) => text.trim() !== '' && text !== PAGE_BREAK);
  const rule: Record<string, unknown> = {
    label: `learned from ${items.length} corrected line(s)`,
    ...(header ? { start: escapeRegex(cellsOf(header)[0]!) } : {}),
    ...(after ? { end: escapeRegex(cellsOf(after)[0]!) } : {}),
    item: [pattern],
  };
  return { rule, describe: `one row per item: ${columns.map((field) => field ?? '(ignored)').join(', ')}` };
}
