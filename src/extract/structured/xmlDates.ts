import { attribute, child, text, type XmlNode } from './xmlNode.ts';

/**
 * An xs:date as UBL and ISDOC write it ("2026-07-24", sometimes with a zone: "2026-07-24+02:00").
 * Anything else is not guessed at: the value is null and a note says what was written.
 */
export function isoDate(value: string | null, label: string, notes: string[]): string | null {
  if (value === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2}|T.*)?$/.exec(value);
  if (match) return match[1]!;
  notes.push(`The ${label} "${value}" is not a date (YYYY-MM-DD); it was left empty.`);
  return null;
}

/**
 * A CII date: `<udt:DateTimeString format="102">20260724</udt:DateTimeString>` (or `DateString`).
 * Format 102 is YYYYMMDD, the only one EN 16931 allows for dates; 610 (a month) or 616 (a week)
 * name no single day, so they become a note, not a date.
 */
export function ciiDate(node: XmlNode | undefined, label: string, notes: string[]): string | null {
  const value = child(node, 'DateTimeString') ?? child(node, 'DateString');
  const written = text(value);
  if (written === null) return null;
  const format = attribute(value, 'format') ?? '102';
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(written);
  if (format === '102' && match) return `${match[1]}-${match[2]}-${match[3]}`;
  notes.push(`The ${label} "${written}" (date format ${format}) is not a single day; it was left empty.`);
  return null;
}
