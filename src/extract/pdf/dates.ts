/**
 * Dates as printed on invoices, turned into YYYY-MM-DD. A date that does not fit one of the
 * allowed formats exactly, or names a day the calendar does not have, is null: the system this
 * replaces put "today" in place of an unreadable date, which is how wrong due dates got posted.
 */
import type { IsoDate } from '../../invoice/normalizedInvoice.ts';
import { formatIsoDate, parseIsoDate } from '../../validate/calendarDate.ts';

/** The printed date formats a template may allow. D and M also accept one digit; spaces after dots are allowed. */
export const DATE_FORMATS = [
  'DD.MM.YYYY',
  'YYYY-MM-DD',
  'YYYY.MM.DD',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'DD-MM-YYYY',
  'D. MMMM YYYY',
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/**
 * The formats tried when a template names none. MM/DD/YYYY is deliberately absent: "03/04/2025"
 * would be read both ways: a template for a supplier that prints it must say so, or the document
 * must prove it (withDocumentSlashOrder).
 */
export const DEFAULT_DATE_FORMATS: readonly DateFormat[] = [
  'DD.MM.YYYY',
  'YYYY-MM-DD',
  'YYYY.MM.DD',
  'DD/MM/YYYY',
  'D. MMMM YYYY',
];

interface Reading {
  pattern: RegExp;
  order: 'dmy' | 'mdy' | 'ymd';
}

const READINGS: Record<Exclude<DateFormat, 'D. MMMM YYYY'>, Reading> = {
  // "16.09.2025", "16. 9. 2025", "16.9.2025"
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$/, order: 'dmy' },
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, order: 'ymd' },
  // MARSO prints "2025.09.16", Hungarian style, sometimes with a closing dot.
  'YYYY.MM.DD': { pattern: /^(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?$/, order: 'ymd' },
  'DD/MM/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'mdy' },
  'DD-MM-YYYY': { pattern: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: 'dmy' },
};

// Month names in the suppliers' languages, with the Slovak and Czech genitive forms dates use
// ("16. septembra 2025", "16. září 2025") and the usual abbreviations.
const MONTH_NAMES: ReadonlyArray<readonly string[]> = [
  ['január', 'januára', 'januar', 'jänner', 'january', 'leden', 'ledna', 'január', 'jan', 'janvier'],
  ['február', 'februára', 'februar', 'february', 'únor', 'února', 'feb', 'février', 'fevrier'],
  ['marec', 'marca', 'březen', 'března', 'märz', 'march', 'mar', 'március', 'mars'],
  ['apríl', 'apríla', 'april', 'duben', 'dubna', 'apr', 'április', 'avril'],
  ['máj', 'mája', 'mai', 'may', 'květen', 'května', 'május'],
  ['jún', 'júna', 'juni', 'june', 'červen', 'června', 'jun', 'június', 'juin'],
  ['júl', 'júla', 'juli', 'july', 'červenec', 'července', 'jul', 'július', 'juillet'],
  ['august', 'augusta', 'srpen', 'srpna', 'aug', 'augusztus', 'août', 'aout'],
  ['september', 'septembra', 'sept', 'září', 'sep', 'szeptember', 'septembre'],
  ['október', 'októbra', 'oktober', 'october', 'říjen', 'října', 'okt', 'oct', 'octobre', 'október'],
  ['november', 'novembra', 'listopad', 'listopadu', 'nov', 'novembre'],
  ['december', 'decembra', 'dezember', 'prosinec', 'prosince', 'dec', 'dez', 'décembre'],
];

/** The ISO date of a printed date, trying `formats` in order; null when none reads it as a real day. */
export function parseDate(printed: string, formats: readonly DateFormat[] = DEFAULT_DATE_FORMATS): IsoDate | null {
  const text = printed.trim();
  for (const format of formats) {
    const date = format === 'D. MMMM YYYY' ? readNamedMonth(text) : readNumeric(text, READINGS[format]);
    if (date !== null) return date;
  }
  return null;
}

function readNumeric(text: string, reading: Reading): IsoDate | null {
  const match = reading.pattern.exec(text);
  if (!match) return null;
  const [first, second, third] = [match[1]!, match[2]!, match[3]!];
  if (reading.order === 'dmy') return calendarDay(third, second, first);
  return reading.order === 'mdy' ? calendarDay(third, first, second) : calendarDay(first, second, third);
}

function readNamedMonth(text: string): IsoDate | null {
  const match = /^(\d{1,2})\.?\s*([\p{L}]+)\.?\s+(\d{4})$/u.exec(text);
  if (!match) return null;
  const name = match[2]!.toLowerCase();
  const month = MONTH_NAMES.findIndex((names) => names.includes(name));
  if (month < 0) return null;
  return calendarDay(match[3]!, String(month + 1), match[1]!);
}

function calendarDay(year: string, month: string, day: string): IsoDate | null {
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = parseIsoDate(iso);
  return date === null ? null : formatIsoDate(date);
}

/** A regular expression source that finds a date in one of `formats` inside a line of text. */
export function datePatternSource(formats: readonly DateFormat[] = DEFAULT_DATE_FORMATS): string {
  const sources: Record<DateFormat, string> = {
    'DD.MM.YYYY': String.raw`\d{1,2}\.\s?\d{1,2}\.\s?\d{4}`,
    'YYYY-MM-DD': String.raw`\d{4}-\d{2}-\d{2}`,
    'YYYY.MM.DD': String.raw`\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.?`,
    'DD/MM/YYYY': String.raw`\d{1,2}\/\d{1,2}\/\d{4}`,
    'MM/DD/YYYY': String.raw`\d{1,2}\/\d{1,2}\/\d{4}`,
    'DD-MM-YYYY': String.raw`\d{1,2}-\d{1,2}-\d{4}`,
    'D. MMMM YYYY': String.raw`\d{1,2}\.?\s*\p{L}{3,}\.?\s+\d{4}`,
  };
  return `(?:${formats.map((format) => sources[format]).join('|')})`;
}

/**
 * The formats with slash dates read month first when the document itself proves it: one of its
 * slash dates has a second part above 12 ("11/17/2017") and none a first part above 12. A
 * document that does not prove it keeps day first, the European reading.
 */
export function withDocumentSlashOrder(formats: readonly DateFormat[], text: string): DateFormat[] {
  const parts = [...text.matchAll(/(?<![\d/])(\d{1,2})\/(\d{1,2})\/\d{4}(?![\d/])/g)].map((match) => [
    Number(match[1]),
    Number(match[2]),
  ]);
  const monthFirst = parts.some(([, second]) => second! > 12) && !parts.some(([first]) => first! > 12);
  return formats.map((format) => (monthFirst && format === 'DD/MM/YYYY' ? 'MM/DD/YYYY' : format));
}
