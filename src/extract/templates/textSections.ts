/**
 * Blocks of the page a field may be looked for in: "the supplier's IČO" is the IČO inside the
 * Dodávateľ block, not the first IČO on the page. A block starts at its heading and runs down
 * to its end pattern, the next heading below it in the same column, its line limit or the page
 * end. When two headings share a line (the usual two-column header: Dodávateľ left, Odberateľ
 * right), each block takes only the text cells of its own column, which the line layout keeps
 * apart with wide gaps.
 */
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import type { SectionRule } from './template.ts';

/** How far (in characters) a cell may start left of its heading and still belong to its column. */
const COLUMN_SLACK = 2;

interface Heading {
  name: string;
  line: number;
  column: number;
}

interface Cell {
  start: number;
  text: string;
}

export function cutSections(lines: readonly string[], rules: Record<string, SectionRule>): Record<string, string> {
  const headings = Object.entries(rules)
    .map(([name, rule]) => findHeading(name, rule.start, lines))
    .filter((heading): heading is Heading => heading !== null);
  const sections: Record<string, string> = {};
  for (const heading of headings) {
    const rule = rules[heading.name]!;
    const others = headings.filter((other) => other !== heading);
    let right = Infinity;
    const rows: string[] = [];
    const limit = Math.min(lines.length, heading.line + rule.maxLines);
    for (let index = heading.line; index < limit; index += 1) {
      const line = lines[index]!;
      if (line === PAGE_BREAK) break;
      const here = others.filter((other) => other.line === index);
      // Another heading in this column starts the next block below; one further right (a
      // customer address box lower than the supplier's heading) only narrows this block.
      if (index > heading.line && here.some((other) => Math.abs(other.column - heading.column) <= COLUMN_SLACK)) break;
      right = Math.min(right, ...here.filter((other) => other.column > heading.column).map((other) => other.column));
      const cells =
        index === heading.line
          ? [
              {
                start: heading.column,
                text: line.slice(heading.column, Number.isFinite(right) ? right : undefined).trim(),
              },
            ]
          : cellsOf(line).filter(
              (cell) => cell.start >= heading.column - COLUMN_SLACK && cell.start < right - COLUMN_SLACK,
            );
      const row = cells.map((cell) => cell.text).join('  ');
      if (index > heading.line && rule.end !== null && matches(rule.end, row)) break;
      rows.push(row);
    }
    sections[heading.name] = rows.join('\n');
  }
  return sections;
}

function findHeading(name: string, start: RegExp, lines: readonly string[]): Heading | null {
  for (let line = 0; line < lines.length; line += 1) {
    start.lastIndex = 0;
    const match = start.exec(lines[line]!);
    if (match) return { name, line, column: match.index };
  }
  return null;
}

function cellsOf(line: string): Cell[] {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((match) => ({ start: match.index, text: match[0] }));
}

function matches(regex: RegExp, text: string): boolean {
  regex.lastIndex = 0;
  return regex.test(text);
}
