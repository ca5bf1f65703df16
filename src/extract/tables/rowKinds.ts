/**
 * Rows under an items table that are not items: an allowance printed under an item, the header
 * of the next table (where the items end), and the table's own header printed again.
 */
import { parseDecimal, type NumberStyle } from '../pdf/numbers.ts';
import { columnMeaning } from './columnWords.ts';
import type { Cell } from './gridCells.ts';
import type { Column } from './itemTable.ts';

/** An item's own allowance: the line starts with its word and ends with a negative amount. */
const ALLOWANCE =
  /^(?:abzgl\.?|abzüglich|less|mínus)?\s*(?:[\d.,]+\s?%\s*)?(?:Rabatt|Nachlass|Discount|Zľava|Sleva|Remise|Kedvezmény)(?!\p{L})[^\d\n-]*(?:[\d.,]+\s?%[^\d\n-]*)?(-\d[\d.,' ]*\d)\s*(?:€|EUR|Kč|Ft)?$/iu;

export function allowanceIn(line: string, style: NumberStyle): string | null {
  const match = ALLOWANCE.exec(line);
  return match === null ? null : parseDecimal(match[1]!.trim(), style);
}

/**
 * A row of column words without a number that is not the table's own header repeated: the
 * header of the next table (a totals table per VAT rate: "Warenwert  Nettobetrag  MwSt-%
 * Endbetrag"), where the items end.
 */
export function isAnotherHeader(cells: Cell[]): boolean {
  if (cells.length < 3 || cells.some((cell) => /\d/.test(cell.text))) return false;
  return cells.filter((cell) => (columnMeaning(cell.text)?.roles.length ?? 0) > 0).length >= 2;
}

/** The table's own header printed again (a later page) in a form headerColumns does not read whole. */
export function isOwnHeaderAgain(cells: Cell[], columns: Column[]): boolean {
  if (cells.some((cell) => /\d/.test(cell.text))) return false;
  const ours = new Set(columns.map((column) => column.header.toLowerCase()));
  return cells.filter((cell) => ours.has(cell.text.toLowerCase())).length >= 2;
}
