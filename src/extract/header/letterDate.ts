/**
 * The issue date of a document written as a letter (German insurers, utilities): no "Datum"
 * label, only a date at the right margin of the subject line ("Beitragsrechnung … 24. Januar
 * 2014"). Used only when no label named the issue date.
 */
import type { NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import { parseDate, type DateFormat } from '../pdf/dates.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import { cellsOf } from '../tables/gridCells.ts';

/** Grid columns (4 pt each, lineLayout.ts) from the left edge where the right half of an A4 page begins. */
const RIGHT_HALF = 74;
/** The letter's date is printed above the body: within the first lines of the first page. */
const TOP_LINES = 30;
/** The end of a label that names some date: then the date is that one, not the letter's. */
const DATE_LABEL =
  /(?::|datum|date|dátum|dňa|dne|kelte|vom|am|bis|fällig\p{L}*|due|splatnosti|zeitraum|period|lieferung|leistung|dodania|plnenia|plnění)\W*$/iu;

export function fillLetterDate(
  invoice: NormalizedInvoice,
  lines: readonly string[],
  formats: readonly DateFormat[],
): void {
  for (const line of lines.slice(0, TOP_LINES)) {
    if (line === PAGE_BREAK) return;
    const cells = cellsOf(line);
    const last = cells.at(-1);
    // A label before the date ("Lieferdatum:", "Leistungszeitraum") makes it some other date.
    if (cells.length < 2 || last === undefined || last.start < RIGHT_HALF || DATE_LABEL.test(cells.at(-2)!.text))
      continue;
    const date = parseDate(monthFirstWritten(last.text), formats);
    if (date === null) continue;
    invoice.issue_date = date;
    invoice.source.fields.issue_date = 'the date at the right margin of the subject line';
    return;
  }
}

/** "March 11, 2014" → "11. March 2014", the form parseDate reads. */
function monthFirstWritten(text: string): string {
  const match = /^(\p{L}{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$/u.exec(text);
  return match ? `${match[2]}. ${match[1]} ${match[3]}` : text;
}
