/**
 * Finds the items table in the text lines of a PDF and cuts it into raw items: a header row of
 * column words gives the columns and their positions, the lines under it are grouped into
 * items (an item's numbers may spread over two lines, its description over several), and the
 * table ends at the totals. A table continued on the next page, with or without its header
 * repeated, is one table. What the numbers mean is left to the arithmetic (lineArithmetic.ts).
 */
import { parseDecimal, parseRate, type NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import { columnMeaning, PAGE_FURNITURE, TABLE_END, type ColumnMeaning } from './columnWords.ts';
import { cellsOf, overlap, type Cell } from './gridCells.ts';
import { allowanceIn, isAnotherHeader, isOwnHeaderAgain } from './rowKinds.ts';

export interface Column extends ColumnMeaning {
  header: string;
  start: number;
  end: number;
}

export interface RawItem {
  /** Numbers by column index, as decimal strings. */
  numbers: Map<number, string>;
  /** Columns whose number was printed with a percent sign: a rate, never an amount. */
  percent: Set<number>;
  description: string[];
  code: string | null;
  ean: string | null;
  unit: string | null;
  /** An allowance printed under the item ("abzgl. 16,7% Rabatt  -2,00"): its net is less by it. */
  allowance: string | null;
}

export interface ItemTable {
  columns: Column[];
  items: RawItem[];
  /** The line the table stopped at (its totals), if any. */
  endLine: string | null;
}

/** A cell holding one number, perhaps with a unit, a percent sign or a currency around it. */
const NUMBER_CELL =
  /^(?:(?:€|\$|£|EUR|CZK|HUF|USD|GBP)\s?)?([-−+]?\d[\d.,' \u00a0]*)\s?(%|€|\$|£|Kč|Ft|EUR|CZK|HUF|USD|GBP|\p{L}[\p{L}.²³]{0,5}(?:\(s\))?)?$/u;
/** How far (grid columns) a number may sit beside its column's header and still belong to it. */
const NEAR = 6;

export function findItemTable(lines: readonly string[], style: NumberStyle): ItemTable | null {
  for (let index = 0; index < lines.length; index++) {
    const columns = headerColumnsAt(lines, index);
    if (columns === null) continue;
    const table = readBody(lines, index + 1, columns, style);
    if (table.items.length > 0) return table;
  }
  return null;
}

/** The columns of a header row, or null when the line is not one. */
export function headerColumns(line: string): Column[] | null {
  return columnsOfCells(cellsOf(line));
}

/**
 * A header row, or a header printed over two lines ("Preis/" above "Einheit", "Menge" above
 * nothing): the words of the line above or below join the cells they sit over.
 */
function headerColumnsAt(lines: readonly string[], index: number): Column[] | null {
  const line = lines[index]!;
  if (!/\p{L}/u.test(line) || /\d[.,]\d/.test(line)) return null;
  const own = headerColumns(line);
  if (own !== null) return own;
  for (const other of [index - 1, index + 1]) {
    const neighbour = lines[other];
    // A neighbour that is a header on its own is read as one; it lends no words to this line.
    if (neighbour === undefined || neighbour === PAGE_BREAK || /\d[.,]\d/.test(neighbour)) continue;
    if (headerColumns(neighbour) !== null) continue;
    const columns = columnsOfCells(joinedHeader(cellsOf(line), cellsOf(neighbour), other < index));
    if (columns !== null) return columns;
  }
  return null;
}

function joinedHeader(cells: Cell[], others: Cell[], othersAbove: boolean): Cell[] {
  const joined = [...cells];
  for (const other of others) {
    const at = joined.findIndex((cell) => overlap(cell, other) > 0);
    if (at < 0) {
      joined.push(other);
      continue;
    }
    const cell = joined[at]!;
    const text = othersAbove ? `${other.text} ${cell.text}` : `${cell.text} ${other.text}`;
    if (columnMeaning(text) !== null)
      joined[at] = { text, start: Math.min(cell.start, other.start), end: Math.max(cell.end, other.end) };
  }
  return joined.sort((a, b) => a.start - b.start);
}

function columnsOfCells(cells: Cell[]): Column[] | null {
  if (cells.length < 3) return null;
  const columns: Column[] = [];
  for (const cell of cells) {
    for (const part of headerParts(cell)) {
      const meaning = columnMeaning(part.text);
      if (meaning) columns.push({ ...meaning, header: part.text, start: part.start, end: part.end });
    }
  }
  const roles = new Set(columns.flatMap((column) => column.roles));
  const hasCount = roles.has('quantity') || roles.has('unit_price') || roles.has('unit_price_gross');
  const hasAmount = roles.has('net') || roles.has('gross');
  if (columns.length < 3 || columns.length < cells.length - 1 || !hasCount || !hasAmount) return null;
  return columns;
}

/**
 * Two header words printed a single space apart read as one cell ("Zľava % DPH %"); when the
 * cell names no column but its two halves do, they are two columns.
 */
function headerParts(cell: Cell): Cell[] {
  if (columnMeaning(cell.text) !== null) return [cell];
  for (let at = cell.text.indexOf(' '); at > 0; at = cell.text.indexOf(' ', at + 1)) {
    const left = cell.text.slice(0, at);
    const right = cell.text.slice(at + 1);
    if (columnMeaning(left) !== null && columnMeaning(right) !== null)
      return [
        { text: left, start: cell.start, end: cell.start + at },
        { text: right, start: cell.start + at + 1, end: cell.end },
      ];
  }
  return [cell];
}

function readBody(lines: readonly string[], from: number, columns: Column[], style: NumberStyle): ItemTable {
  const items: RawItem[] = [];
  let current: RawItem | null = null;
  let afterPageBreak = false;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === PAGE_BREAK) {
      afterPageBreak = true;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || PAGE_FURNITURE.test(trimmed)) continue;
    if (headerColumns(line) !== null) {
      afterPageBreak = false; // the header repeated on the next page
      continue;
    }
    const cells = cellsOf(line);
    if (items.length > 0 && isOwnHeaderAgain(cells, columns)) {
      afterPageBreak = false;
      continue;
    }
    if (TABLE_END.test(trimmed) || (items.length > 0 && isAnotherHeader(cells)))
      return { columns, items, endLine: line };
    const allowance = current !== null && !afterPageBreak ? allowanceIn(trimmed, style) : null;
    if (allowance !== null && current!.allowance === null) {
      current!.allowance = allowance;
      continue;
    }
    const placed = separated(
      cells.map((cell) => ({ cell, column: columnOf(cell, columns) })),
      columns,
      style,
    );
    const numbers = new Map<number, string>();
    const percent = new Set<number>();
    const texts: { cell: Cell; column: number | null }[] = [];
    let unit: string | null = null;
    for (const { cell, column } of placed) {
      const meaning = column === null ? null : columns[column]!;
      const number =
        meaning && meaning.roles.length > 0 ? numberIn(cell.text, meaning.roles.includes('vat_rate'), style) : null;
      if (number && column !== null && !numbers.has(column)) {
        numbers.set(column, number.value);
        if (number.suffix === '%') percent.add(column);
        if (number.suffix && /^\p{L}/u.test(number.suffix) && !/^(?:EUR|CZK|HUF|USD|GBP|Kč|Ft)$/.test(number.suffix))
          unit = number.suffix;
      } else {
        texts.push({ cell, column });
      }
    }
    // Before the first item and on a new page before the table goes on: only rows with numbers count.
    if (numbers.size === 0) {
      if (current && !afterPageBreak) addTexts(current, texts, columns);
      continue;
    }
    const conflicts = current !== null && [...numbers.keys()].some((column) => current!.numbers.has(column));
    if (current !== null && !conflicts && !afterPageBreak) {
      for (const [column, value] of numbers) current.numbers.set(column, value);
      for (const column of percent) current.percent.add(column);
      current.unit ??= unit;
      addTexts(current, texts, columns);
      continue;
    }
    if (numbers.size < 2) continue; // a stray number (a page number, a date part), not an item
    afterPageBreak = false;
    current = { numbers, percent, description: [], code: null, ean: null, unit, allowance: null };
    items.push(current);
    addTexts(current, texts, columns);
  }
  return { columns, items, endLine: null };
}

/**
 * Two numbers of one row under one header: the header row was printed narrower than the rows
 * (another font size), so the numbers sit right of their headers. The left number belongs to the
 * nearest number column to the left that this row leaves free.
 */
function separated(
  placed: { cell: Cell; column: number | null }[],
  columns: Column[],
  style: NumberStyle,
): { cell: Cell; column: number | null }[] {
  const isNumber = (entry: { cell: Cell; column: number | null }) =>
    entry.column !== null && columns[entry.column]!.roles.length > 0 && numberIn(entry.cell.text, true, style) !== null;
  const result = placed.map((entry) => ({ ...entry }));
  for (let index = result.length - 2; index >= 0; index--) {
    const entry = result[index]!;
    const right = result[index + 1]!;
    if (entry.column === null || entry.column !== right.column || !isNumber(entry) || !isNumber(right)) continue;
    const taken = new Set(result.map((other) => other.column));
    for (let column = entry.column - 1; column >= 0; column--) {
      if (columns[column]!.roles.length === 0) continue;
      if (!taken.has(column)) entry.column = column;
      break;
    }
  }
  return result;
}

function addTexts(item: RawItem, texts: { cell: Cell; column: number | null }[], columns: Column[]): void {
  for (const { cell, column } of texts) {
    const kind = column === null ? null : columns[column]!.text;
    const text = cell.text;
    if (/^\d{8}$|^\d{12,14}$/.test(text) && item.ean === null && kind !== 'description') item.ean = text;
    else if (kind === 'code' && item.code === null) item.code = text;
    else if (kind === 'unit' && item.unit === null) item.unit = text;
    else if (kind === 'description' || (kind === null && column === null && isLeftOfNumbers(cell, columns)))
      item.description.push(text);
  }
}

function isLeftOfNumbers(cell: Cell, columns: Column[]): boolean {
  const firstNumeric = columns.find((column) => column.roles.length > 0);
  return firstNumeric === undefined || cell.end <= firstNumeric.start;
}

/**
 * The column a cell sits under: the header it shares the most width with; else the column whose
 * stretch (from its header to the next header, the last one to the edge) holds the cell — a
 * right-aligned number under a left-aligned header; else the nearest header a few characters away.
 */
function columnOf(cell: Cell, columns: Column[]): number | null {
  let best: number | null = null;
  let bestScore = 0;
  for (const [index, column] of columns.entries()) {
    const score = overlap(cell, column);
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  if (best !== null) return best;
  for (const [index, column] of columns.entries()) {
    const next = columns[index + 1];
    if (cell.start >= column.end && (next === undefined || cell.end <= next.start)) return index;
  }
  let nearest: number | null = null;
  let gap = NEAR;
  for (const [index, column] of columns.entries()) {
    const distance = -overlap(cell, column);
    if (distance <= gap) {
      nearest = index;
      gap = distance;
    }
  }
  return nearest;
}

function numberIn(text: string, percent: boolean, style: NumberStyle): { value: string; suffix: string | null } | null {
  const match = NUMBER_CELL.exec(text.trim());
  if (!match) return null;
  const suffix = match[2] ?? null;
  const printed = match[1]!.replace('−', '-').trim();
  const value = percent && suffix === '%' ? parseRate(printed, style) : parseDecimal(printed, style);
  return value === null ? null : { value, suffix };
}

/** The decimal mark most numbers of the document use: "1 234,50" or "1,234.50". */
export function documentNumberStyle(text: string): NumberStyle {
  const commas = text.match(/\d,\d{2}(?!\d)/g)?.length ?? 0;
  const points = text.match(/\d\.\d{2}(?!\d)/g)?.length ?? 0;
  return { decimalMark: commas > points ? ',' : points > commas ? '.' : 'auto' };
}
