/**
 * The two tables a template reads: the VAT breakdown (one row per rate) and the line items
 * (one or more text lines per item). A table runs from its start pattern to its end pattern and
 * may start again (a header repeated on the next page); without a start it is the whole text.
 */
import type { InvoiceLine, VatBreakdownRow } from '../../invoice/normalizedInvoice.ts';
import { parseDecimal, parseRate, type NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import type { ItemLinePattern, TableRule } from './template.ts';
import type { LineGroup } from './templateSchema.ts';

export interface ReadItem {
  line: InvoiceLine;
  customsCode: string | null;
}

export function readVatRows(
  lines: readonly string[],
  rule: TableRule<RegExp[]>,
  style: NumberStyle,
): VatBreakdownRow[] {
  const rows: VatBreakdownRow[] = [];
  for (const text of tableLines(lines, rule)) {
    for (const regex of rule.row) {
      const groups = execute(regex, text)?.groups;
      if (!groups) continue;
      const rate = parseRate(groups.rate ?? '', style);
      const base = parseDecimal(groups.base ?? '', style);
      const tax = parseDecimal(groups.tax ?? '', style);
      if (rate === null || base === null || tax === null) continue;
      // The same summary printed on every page is one row, not several.
      if (!rows.some((row) => row.rate === rate && row.base === base && row.tax === tax))
        rows.push({ rate, base, tax });
      break;
    }
  }
  return rows;
}

export function readItems(
  lines: readonly string[],
  rule: TableRule<ItemLinePattern[]>,
  style: NumberStyle,
): ReadItem[] {
  const rows = tableLines(lines, rule);
  const items: ReadItem[] = [];
  let index = 0;
  while (index < rows.length) {
    const first = execute(rule.row[0]!.regex, rows[index]!);
    if (!first) {
      index += 1;
      continue;
    }
    const groups: Partial<Record<LineGroup, string>> = { ...definedGroups(first) };
    index += 1;
    for (const next of rule.row.slice(1)) {
      const match = index < rows.length ? execute(next.regex, rows[index]!) : null;
      if (match) {
        // A later line's value wins: MARSO's second line holds the full name the first abbreviates.
        Object.assign(groups, definedGroups(match));
        index += 1;
      } else if (!next.optional) {
        break; // what the item's first lines gave is kept; validation reports what is missing
      }
    }
    items.push(toItem(groups, items.length + 1, style));
  }
  return items;
}

/** The text lines inside the table, in order. */
function tableLines(lines: readonly string[], rule: TableRule<unknown>): string[] {
  const inside: string[] = [];
  let within = rule.start === null;
  for (const line of lines) {
    if (line === PAGE_BREAK) continue;
    if (!within) {
      within = rule.start !== null && execute(rule.start, line) !== null;
      continue;
    }
    if (rule.end !== null && execute(rule.end, line) !== null) {
      within = false;
      continue;
    }
    if (rule.start !== null && execute(rule.start, line) !== null) continue; // the header again
    inside.push(line);
  }
  return inside;
}

function toItem(groups: Partial<Record<LineGroup, string>>, position: number, style: NumberStyle): ReadItem {
  const text = (value: string | undefined) => (value === undefined ? null : value.trim().replace(/\s+/g, ' ') || null);
  const decimal = (value: string | undefined) => (value === undefined ? null : parseDecimal(value, style));
  const percent = (value: string | undefined) => (value === undefined ? null : parseRate(value, style));
  const printedNumber = Number.parseInt(groups.line_number ?? '', 10);
  const ean = groups.ean?.replace(/\s/g, '');
  return {
    line: {
      line_number: Number.isSafeInteger(printedNumber) ? printedNumber : position,
      item_code: text(groups.item_code),
      ean: ean !== undefined && /^\d{8,14}$/.test(ean) ? ean : null,
      description: text(groups.description),
      quantity: decimal(groups.quantity),
      unit: text(groups.unit),
      discount_percent: percent(groups.discount_percent),
      unit_price: decimal(groups.unit_price),
      unit_price_with_vat: decimal(groups.unit_price_with_vat),
      vat_rate: percent(groups.vat_rate),
      line_net: decimal(groups.line_net),
      line_gross: decimal(groups.line_gross),
    },
    customsCode: text(groups.customs_code),
  };
}

function definedGroups(match: RegExpExecArray): Partial<Record<LineGroup, string>> {
  return Object.fromEntries(
    Object.entries(match.groups ?? {}).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
}

function execute(regex: RegExp, text: string): RegExpExecArray | null {
  regex.lastIndex = 0;
  return regex.exec(text);
}
