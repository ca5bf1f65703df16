/**
 * Items printed without a table header, as a priced list right above the total net: one row per
 * item, its name and one amount at the right ("Privathaftpflicht      50,00 €"), perhaps with
 * lines of detail under it. German insurers and many service invoices print this way. Only a
 * list whose amounts add up exactly to the printed total net is taken: the arithmetic is the
 * only evidence that these rows are the items.
 */
import { emptyLine, type InvoiceLine, type NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import {
  decimalOf,
  equals,
  formatDecimal,
  isWithin,
  normalize,
  ONE_CENT,
  parseDecimal as exact,
  percentOf,
  roundHalfUp,
  sum,
  type ExactDecimal,
} from '../../validate/decimal.ts';
import { parseDecimal, type NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import { cellsOf } from './gridCells.ts';
import { netOfGross } from './lineArithmetic.ts';

/** How far above the total net the list may begin, detail lines included. */
const REACH = 12;

/** Words of a totals block: its rows are sums, taxes and allowances, never items. */
const TOTALS_WORD =
  /(?:^|[^\p{L}])(?:\p{L}*summe|\p{L}*total|sub-?total|netto|brutto|mwst|ust|umsatzsteuer|dph|vat|tva|áfa|gesamt\p{L}*|celkom|celkem|spolu|základ|rabatt|nachlass|skonto|discount|zľava|sleva|remise|k úhrade|k úhradě|zu zahlen|amount due|balance)(?![\p{L}])/iu;

const AMOUNT_CELL = /^(?:EUR|€|\$|£)?\s?(-?\d[\d .,']*\d|\d)\s?(?:EUR|€|\$|£|Kč|Ft)?$/u;

interface PricedRow {
  description: string;
  printed: string;
  value: ExactDecimal;
}

export function readPricedList(
  lines: readonly string[],
  invoice: NormalizedInvoice,
  style: NumberStyle,
): InvoiceLine[] | null {
  const net = invoice.total_net === null ? null : exact(invoice.total_net);
  if (net === null) return null;
  const atNet = listAddingUpTo(lines, net, style);
  if (atNet !== null) return atNet.map((item, at) => toLine(at + 1, item));
  return grossList(lines, invoice, net, style);
}

/**
 * Rows priced with VAT (an insurer's "Beitrag inklusive 19 % Versicherungsteuer") add up to the
 * gross: each net follows from the one rate the totals imply, and the nets must add up to the
 * total net within a cent per line (each was rounded on its own).
 */
function grossList(
  lines: readonly string[],
  invoice: NormalizedInvoice,
  net: ExactDecimal,
  style: NumberStyle,
): InvoiceLine[] | null {
  const gross = invoice.total_gross === null ? null : exact(invoice.total_gross);
  const rate = impliedRate(invoice);
  if (gross === null || rate === null) return null;
  const rows = listAddingUpTo(lines, gross, style);
  if (rows === null) return null;
  const nets = rows.map((row) => netOfGross(row.value, rate));
  if (!isWithin(sum(nets), net, { units: BigInt(rows.length), scale: 2 })) return null;
  return rows.map((row, at) => {
    const line = toLine(at + 1, row);
    line.line_net = formatDecimal(nets[at]!);
    line.line_gross = row.printed;
    line.vat_rate = formatDecimal(normalize(rate));
    return line;
  });
}

/** The VAT rate total VAT ÷ total net gives, when it is a whole or half percent. */
function impliedRate(invoice: NormalizedInvoice): ExactDecimal | null {
  const net = invoice.total_net === null ? null : exact(invoice.total_net);
  const vat = invoice.total_vat === null ? null : exact(invoice.total_vat);
  if (net === null || vat === null || net.units <= 0n || vat.units <= 0n) return null;
  // VAT ÷ net in half percents, rounded: both brought to one scale first.
  const scale = Math.max(net.scale, vat.scale);
  const netUnits = net.units * 10n ** BigInt(scale - net.scale);
  const vatUnits = vat.units * 10n ** BigInt(scale - vat.scale);
  const halves = (vatUnits * 400n + netUnits) / (2n * netUnits);
  const rate = decimalOf(halves * 5n, 1);
  // The rate must give back the printed VAT to within a cent.
  return halves > 0n && isWithin(roundHalfUp(percentOf(net, rate), 2), vat, ONE_CENT) ? rate : null;
}

/** A run of priced rows right above a row that prints `total`, adding up to it exactly. */
function listAddingUpTo(lines: readonly string[], total: ExactDecimal, style: NumberStyle): PricedRow[] | null {
  for (const [index, line] of lines.entries()) {
    const row = pricedRow(line, style);
    if (row === null || !equals(row.value, total)) continue;
    const items = itemsAbove(lines, index, total, style);
    if (items !== null) return items;
  }
  return null;
}

/** The longest run of priced rows ending right above the total's row whose amounts add up to it. */
function itemsAbove(lines: readonly string[], index: number, total: ExactDecimal, style: NumberStyle) {
  const rows: PricedRow[] = [];
  let found: PricedRow[] | null = null;
  for (let at = index - 1; at >= Math.max(0, index - REACH); at--) {
    const line = lines[at]!;
    if (line === PAGE_BREAK) break;
    const row = pricedRow(line, style);
    if (row === null) continue; // a line of detail under an item, or a heading over the list
    if (TOTALS_WORD.test(row.description)) break; // a totals block ("Zwischensumme", "Rabatt"), not items
    rows.unshift(row);
    if (equals(sum(rows.map((candidate) => candidate.value)), total)) found = [...rows];
  }
  return found;
}

/** A row of text cells and one amount at its right end; null for anything else. */
function pricedRow(line: string, style: NumberStyle): PricedRow | null {
  const cells = cellsOf(line);
  const last = cells.at(-1);
  if (cells.length < 2 || last === undefined) return null;
  const words = cells.slice(0, -1);
  if (!/\p{L}/u.test(words[0]!.text) || words.some((cell) => AMOUNT_CELL.test(cell.text))) return null;
  const amount = AMOUNT_CELL.exec(last.text);
  const printed = amount === null ? null : parseDecimal(amount[1]!, style);
  const value = printed === null ? null : exact(printed);
  if (printed === null || value === null) return null;
  return { description: words.map((cell) => cell.text).join(' '), printed, value };
}

function toLine(lineNumber: number, row: PricedRow): InvoiceLine {
  const line = emptyLine(lineNumber);
  line.description = row.description;
  line.line_net = row.printed;
  return line;
}
