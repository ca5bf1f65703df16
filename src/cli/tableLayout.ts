import Table from 'cli-table3';

/**
 * Tables that fit the terminal: a table wider than the window wraps every line in the
 * terminal and becomes unreadable. Columns keep their natural width when everything fits;
 * otherwise the widest columns give up width first and their text wraps inside the cell
 * (at the column's edge, not at word boundaries: a long id or file name is never cut off).
 * Columns named in `keep` (the invoice id, which people copy into the next command) are
 * never narrowed while the others can still give.
 */

/**
 * Output that goes to a pipe or a file has no width: it is read by grep, a script or a
 * ticket, where one row per line matters more than a width nobody can know. COLUMNS=100
 * asks for a width there too.
 */
export const UNLIMITED = Number.POSITIVE_INFINITY;
/** Narrowest a shrunk column gets (padding included): three characters of text. */
const MIN_COLUMN = 5;
/** Columns up to this wide (padding included) keep their width while wider ones can give. */
const SHORT_COLUMN = 16;

/** COLUMNS when set (the user's choice), else the terminal's width, else UNLIMITED (not a terminal). */
export function outputWidth(
  stream: { isTTY?: boolean; columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  return UNLIMITED;
}

/** How wide a text shows (code points; the CLI's texts have no wide or combining characters worth more). */
export function displayWidth(text: string): number {
  let widest = 0;
  for (const line of text.normalize('NFC').split('\n')) widest = Math.max(widest, [...line].length);
  return widest;
}

/**
 * Column widths (padding included) for a table at most `width` wide, borders included.
 * Water-filling: every narrowed column gets the same cap, the narrow ones keep their width.
 */
export function fitColumns(natural: number[], width: number, keep: boolean[] = []): number[] {
  const available = width - (natural.length + 1); // one border character per column, plus the last
  const total = natural.reduce((sum, w) => sum + w, 0);
  if (total <= available) return natural;
  // Who gives width, first choice first: the wide columns that are not kept (a status or an
  // amount stays whole), then the wide ones with the kept, then the short ones too.
  const all = natural.map((_, i) => i);
  const wide = all.filter((i) => natural[i]! > SHORT_COLUMN);
  const candidates = [wide.filter((i) => !keep[i]), wide, all.filter((i) => !keep[i]), all];
  const fixedWidth = (giving: number[]) => natural.reduce((sum, w, i) => sum + (giving.includes(i) ? 0 : w), 0);
  const giving =
    candidates.find((set) => set.length > 0 && fixedWidth(set) + set.length * MIN_COLUMN <= available) ?? all;
  let room = available - fixedWidth(giving);
  const byWidth = [...giving].sort((a, b) => natural[a]! - natural[b]!);
  const widths = [...natural];
  for (let n = 0; n < byWidth.length; n++) {
    const column = byWidth[n]!;
    const share = Math.floor(room / (byWidth.length - n));
    widths[column] = Math.max(MIN_COLUMN, Math.min(natural[column]!, share));
    room -= widths[column]!;
  }
  return widths;
}

type Cell = string | number;

/** A plain table (no colours: output is often piped or pasted) laid out when it is printed. */
export class FittingTable {
  private readonly rows: Cell[][] = [];
  private readonly head: string[];
  private readonly keep: string[];
  private readonly width: number;

  constructor(head: string[], options: { keep?: string[]; width?: number } = {}) {
    this.head = head;
    this.keep = options.keep ?? ['id'];
    this.width = options.width ?? outputWidth();
  }

  push(...rows: Cell[][]): number {
    return this.rows.push(...rows);
  }

  get length(): number {
    return this.rows.length;
  }

  toString(): string {
    const natural = this.head.map(
      (title, i) => Math.max(displayWidth(title), ...this.rows.map((row) => displayWidth(String(row[i] ?? '')))) + 2,
    );
    const widths = fitColumns(
      natural,
      this.width,
      this.head.map((title) => this.keep.includes(title)),
    );
    const fits = widths.every((w, i) => w === natural[i]);
    const table = new Table({
      head: this.head,
      style: { head: [], border: [], compact: true },
      ...(fits ? {} : { colWidths: widths, wordWrap: true, wrapOnWordBoundary: false }),
    });
    table.push(...this.rows);
    return table.toString();
  }
}
