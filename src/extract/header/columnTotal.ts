/**
 * A totals label printed as a column header over one row per VAT rate and a last row with their
 * sum ("Nettobetrag" over 321,40 / 127,59 / 448,99): the invoice's total is the sum row, not the
 * first row under the label. Only a column whose last value is exactly the sum of the rows above
 * it counts; anything else leaves the value under the label to the caller.
 *
 * Which number of the sum row sits under the label: a bold header row takes more grid columns
 * than its text occupies on the page (lineLayout.ts), so its cells drift right of the numbers
 * under them. Right-aligned amounts keep their order, so the label's rank counted from the right
 * is tried first, then the cell under the label's position; the arithmetic decides.
 */
import { equals, parseDecimal as exact, sum, type ExactDecimal } from '../../validate/decimal.ts';
import { parseDecimal, type NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import { cellsOf, overlap, type Cell } from '../tables/gridCells.ts';

/** How many rows a per-rate summary may have under its header (rates, then the sum). */
const MAX_ROWS = 6;

/**
 * The sum row of the column under the label at `label` in line `index`, as a decimal string;
 * null when the rows under the label are not per-rate rows followed by their sum.
 */
export function columnTotalBelow(
  lines: readonly string[],
  index: number,
  label: { start: number; end: number },
  style: NumberStyle,
): string | null {
  const header = cellsOf(lines[index]!);
  const rankFromRight = header.length - header.findIndex((cell) => cell.end >= label.end);
  const rows: Cell[][] = [];
  for (const line of lines.slice(index + 1, index + 1 + MAX_ROWS)) {
    if (line === PAGE_BREAK) break;
    const cells = cellsOf(line);
    if (cells.filter((cell) => amountOf(cell, style) !== null).length < 2) break;
    rows.push(cells);
  }
  if (rows.length < 3 || rankFromRight > header.length) return null;
  const sumRow = rows.at(-1)!;
  const candidates = [sumRow[sumRow.length - rankFromRight], sumRow.find((cell) => overlap(cell, label) > 0)];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const total = amountOf(candidate, style);
    const above = rows.slice(0, -1).map((row) => {
      const cell = row.find((other) => overlap(other, candidate) > 0);
      return cell === undefined ? null : amountOf(cell, style);
    });
    if (total === null || above.some((value) => value === null)) continue;
    if (equals(sum(above.map((value) => value!.value)), total.value)) return total.printed;
  }
  return null;
}

function amountOf(cell: Cell, style: NumberStyle): { printed: string; value: ExactDecimal } | null {
  const printed = parseDecimal(cell.text.replace(/\s*(?:€|EUR|\$|£|Kč|Ft)$/u, ''), style);
  const value = printed === null ? null : exact(printed);
  return printed === null || value === null ? null : { printed, value };
}
