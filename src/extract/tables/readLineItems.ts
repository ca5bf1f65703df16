/**
 * The generic line reader: the items table of any layout (itemTable.ts), given meaning by
 * arithmetic (lineArithmetic.ts), checked against the totals the page prints. Lines that do not
 * reconcile are kept as a draft with a note that says why, so the invoice goes to review with
 * the reason instead of silently carrying wrong lines.
 */
import { emptyLine, type InvoiceLine, type NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import {
  add,
  decimalOf,
  isWithin,
  parseDecimal,
  percentOf,
  roundHalfUp,
  sum,
  type ExactDecimal,
} from '../../validate/decimal.ts';
import { parseDecimal as parsePrinted, type NumberStyle } from '../pdf/numbers.ts';
import { findItemTable } from './itemTable.ts';
import { readPricedList } from './pricedList.ts';
import { assignColumns, money, printedValue, reconciles, type LineReading } from './lineArithmetic.ts';

export interface GenericLines {
  lines: InvoiceLine[];
  /** True when every line reconciles and their sum agrees with a printed total. */
  reconciled: boolean;
  /** Why the lines are only a draft (Slovak, then English), or null. */
  note: string | null;
  /** What source.fields says produced the lines. */
  source: string;
}

/** Labels of the sum of the lines printed before allowances and charges. */
const LINES_TOTAL =
  /(?:Positionssumme|Summe Positionen|Warenwert gesamt|Zwischensumme|Subtotal|Sub-total|Items total|Medzisúčet|Mezisoučet|Součet položek|Súčet položiek|Részösszeg)[ \t:]*(?:€|EUR|\$|£)?[ \t]*(-?\d[\d .,']*\d)/giu;

export function readGenericLines(
  lines: readonly string[],
  text: string,
  invoice: NormalizedInvoice,
  style: NumberStyle,
): GenericLines | null {
  const table = findItemTable(lines, style);
  if (table === null) {
    const listed = readPricedList(lines, invoice, style);
    return listed === null
      ? null
      : { lines: listed, reconciled: true, note: null, source: 'a priced list adding up to the total net' };
  }
  const { roles, lines: printed } = assignColumns(table.columns, table.items);
  const all = printed.map((reading, index) => lessAllowance(reading, table.items[index]!.allowance));
  const totals = printedTotals(text, invoice, style);
  const kept = linesKept(all, totals);
  const readings = all.slice(0, kept);
  const result = table.items.slice(0, kept).map((item, index) => toLine(index + 1, item, roles, readings[index]!));
  if (result.every((line) => line.line_net === null)) return null;

  const nets = readings.map((reading) => reading.net).filter((net): net is ExactDecimal => net !== null);
  const linesSum = sum(nets);
  const tolerance = { units: BigInt(Math.max(nets.length, 1)), scale: 2 };
  const sumAgrees = totals.some((total) => isWithin(linesSum, total.value, tolerance));
  const unreconciled = readings.flatMap((reading, index) => (reconciles(reading) ? [] : [index + 1]));
  const checkedByLines = unreconciled.length === 0;
  const nothingToCheck = readings.every((reading) => reading.passes + reading.fails === 0);
  const reconciled = (checkedByLines && (sumAgrees || totals.length === 0)) || (nothingToCheck && sumAgrees);
  if (reconciled) return { lines: result, reconciled, note: null, source: 'items table read by its column words' };

  const reasons: { sk: string; en: string }[] = [];
  if (!sumAgrees && totals.length > 0) {
    const total = totals[0]!;
    reasons.push({
      sk: `položky dávajú spolu ${money(linesSum)}, ${total.sk} je ${money(total.value)}`,
      en: `the lines add up to ${money(linesSum)}, the ${total.en} is ${money(total.value)}`,
    });
  }
  if (!checkedByLines && !nothingToCheck) {
    const which = unreconciled.join(', ');
    reasons.push({
      sk: `riadky ${which} nesedia (množstvo × cena, základ × sadzba)`,
      en: `lines ${which} do not reconcile (quantity × price, net × rate)`,
    });
  }
  const note =
    `Položky sú len návrh: ${reasons.map((reason) => reason.sk).join('; ')}. / ` +
    `The lines are a draft: ${reasons.map((reason) => reason.en).join('; ')}.`;
  return { lines: result, reconciled: false, note, source: 'items table read by its column words (draft)' };
}

/**
 * How many of the items read are lines. A summary under the table that no totals word ended (a
 * discount or VAT block) reads as items that reconcile with nothing: the longest run of
 * reconciling items whose nets add up to a printed total are the lines; failing that, trailing
 * items without a quantity or an amount are dropped.
 */
function linesKept(all: LineReading[], totals: PrintedTotal[]): number {
  for (let kept = all.length; kept > 0; kept--) {
    const prefix = all.slice(0, kept);
    if (!prefix.every(reconciles)) continue;
    const tolerance = { units: BigInt(kept), scale: 2 };
    const total = sum(prefix.map((reading) => reading.net!));
    if (totals.some((printed) => isWithin(total, printed.value, tolerance))) return kept;
  }
  let kept = all.length;
  while (
    kept > 0 &&
    all.slice(0, kept - 1).some(reconciles) &&
    !reconciles(all[kept - 1]!) &&
    (all[kept - 1]!.values.quantity === undefined || all[kept - 1]!.net === null)
  )
    kept -= 1;
  return kept;
}

interface PrintedTotal {
  value: ExactDecimal;
  sk: string;
  en: string;
}

/** Sums the lines may add up to: the total net, the VAT breakdown's bases, a printed lines total. */
function printedTotals(text: string, invoice: NormalizedInvoice, style: NumberStyle): PrintedTotal[] {
  const totals: PrintedTotal[] = [];
  const net = invoice.total_net === null ? null : parseDecimal(invoice.total_net);
  if (net !== null) totals.push({ value: net, sk: 'celkový základ', en: 'total net' });
  const bases = invoice.vat_breakdown.map((row) => parseDecimal(row.base));
  if (bases.length > 0 && bases.every((base) => base !== null))
    totals.push({ value: sum(bases as ExactDecimal[]), sk: 'súčet základov DPH', en: 'sum of the VAT bases' });
  for (const match of text.matchAll(LINES_TOTAL)) {
    const printed = parsePrinted(match[1]!.trim(), style);
    const value = printed === null ? null : parseDecimal(printed);
    if (value !== null) totals.push({ value, sk: 'súčet položiek', en: 'lines total' });
  }
  return totals;
}

function toLine(
  lineNumber: number,
  item: Parameters<typeof printedValue>[0],
  roles: Parameters<typeof printedValue>[1],
  reading: LineReading,
): InvoiceLine {
  const line = emptyLine(lineNumber);
  line.description = item.description.join(' ').trim() || null;
  line.item_code = item.code;
  line.ean = item.ean;
  line.unit = item.unit;
  line.quantity = printedValue(item, roles, 'quantity');
  line.unit_price = printedValue(item, roles, 'unit_price');
  line.unit_price_with_vat = printedValue(item, roles, 'unit_price_gross');
  line.discount_percent = printedValue(item, roles, 'discount');
  const rate = printedValue(item, roles, 'vat_rate');
  line.vat_rate = rate === null ? null : rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
  line.line_net =
    item.allowance === null
      ? (printedValue(item, roles, 'net') ?? (reading.net === null ? null : money(reading.net)))
      : reading.net === null
        ? null
        : money(reading.net);
  line.line_gross =
    printedValue(item, roles, 'gross') ??
    (reading.gross === null ? null : money(add(reading.gross, { units: 0n, scale: 2 })));
  return line;
}

/** The net of an item with an allowance under it: the printed amount was before the allowance. */
function lessAllowance(reading: LineReading, allowance: string | null): LineReading {
  const value = allowance === null ? null : parseDecimal(allowance);
  if (value === null || reading.net === null) return reading;
  const net = add(reading.net, value);
  const rate = reading.values.vat_rate;
  const gross = rate === undefined ? null : roundHalfUp(percentOf(net, add(decimalOf(100), rate)), 2);
  return { ...reading, net, gross };
}
