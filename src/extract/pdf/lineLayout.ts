/**
 * Text lines rebuilt from positioned runs, the way the page reads: top to bottom, left to right.
 * Runs on one baseline (within a tolerance) form a line; inside a line a small gap is a space
 * and a wide gap starts a new column. Columns are placed on a fixed character grid, so a value
 * that sits under a label on the page sits under it in the text as well, and column gaps are
 * always at least two spaces: templates can tell "1 234,50" (one number) from "1  234,50".
 */
import type { TextRun } from './pdf2jsonRuns.ts';

/** Width of one character cell of the grid, in points: a little narrower than a 9 pt character. */
const GRID_CELL_POINTS = 4;
/** Runs whose vertical positions differ by less than this share of the font size are one line. */
const SAME_LINE_SHARE = 0.45;
/** A gap narrower than this share of the font size joins the runs without a space (kerning, split words). */
const WORD_GAP_SHARE = 0.12;
/** A gap at least this share of the font size separates columns; a space is about 0.28 of it. */
const COLUMN_GAP_SHARE = 0.6;
/** Two runs with the same text this close together are one run drawn twice (fake bold, shadows). */
const DUPLICATE_DISTANCE_POINTS = 1;

interface PlacedRun {
  x: number;
  end: number;
  y: number;
  text: string;
  fontSize: number;
  spacesBefore: number;
  spacesAfter: number;
}

export function layoutLines(runs: readonly TextRun[]): string[] {
  return groupIntoLines(runs.map(place).filter((run) => run.text !== '')).map(renderLine);
}

/** The run with its outer spaces removed, and its position narrowed to the visible text. */
function place(run: TextRun): PlacedRun {
  const raw = run.text.replace(/\s/g, ' ');
  const text = raw.trim();
  const spacesBefore = raw.length - raw.trimStart().length;
  const spacesAfter = raw.length - raw.trimEnd().length;
  const characterWidth = raw.length > 0 ? run.width / raw.length : 0;
  const x = run.x + spacesBefore * characterWidth;
  return {
    x,
    end: Math.max(x, run.x + run.width - spacesAfter * characterWidth),
    y: run.y,
    text,
    fontSize: run.fontSize,
    spacesBefore,
    spacesAfter,
  };
}

function groupIntoLines(runs: PlacedRun[]): PlacedRun[][] {
  const byHeight = [...runs].sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: { y: number; fontSize: number; runs: PlacedRun[] }[] = [];
  for (const run of byHeight) {
    const line = lines.at(-1);
    // Compared with the line's first run, so a slowly drifting row cannot chain two lines together.
    if (line && run.y - line.y < SAME_LINE_SHARE * Math.min(line.fontSize, run.fontSize)) {
      line.runs.push(run);
    } else {
      lines.push({ y: run.y, fontSize: run.fontSize, runs: [run] });
    }
  }
  return lines.map((line) => withoutDuplicates(line.runs.sort((a, b) => a.x - b.x)));
}

function withoutDuplicates(runs: PlacedRun[]): PlacedRun[] {
  return runs.filter(
    (run, index) =>
      !runs
        .slice(0, index)
        .some((earlier) => earlier.text === run.text && Math.abs(earlier.x - run.x) < DUPLICATE_DISTANCE_POINTS),
  );
}

function renderLine(runs: PlacedRun[]): string {
  let line = '';
  let previous: PlacedRun | undefined;
  let reach = 0;
  for (const run of runs) {
    const column = Math.round(run.x / GRID_CELL_POINTS);
    if (previous === undefined) {
      line = ' '.repeat(column) + run.text;
    } else {
      const gap = run.x - reach;
      const printedSpaces = previous.spacesAfter + run.spacesBefore;
      if (printedSpaces >= 2 || gap >= COLUMN_GAP_SHARE * run.fontSize) {
        line = line.padEnd(Math.max(column, line.length + 2)) + run.text;
      } else if (printedSpaces === 1 || gap >= WORD_GAP_SHARE * run.fontSize) {
        line += ` ${run.text}`;
      } else {
        line += run.text;
      }
    }
    previous = run;
    reach = Math.max(reach, run.end);
  }
  return line.trimEnd();
}
