/**
 * The cells of one text line as lineLayout.ts printed it: runs on a fixed character grid, a
 * single space inside a cell ("1 234,50", "Unit price") and two or more between cells. A cell's
 * start and end are grid columns, so cells of different lines can be compared by position.
 */
export interface Cell {
  text: string;
  start: number;
  end: number;
}

export function cellsOf(line: string): Cell[] {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((match) => ({
    text: match[0],
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** How many grid columns two cells share; negative: the gap between them. */
export function overlap(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return Math.min(a.end, b.end) - Math.max(a.start, b.start);
}
