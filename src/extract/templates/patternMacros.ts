/**
 * Named building blocks for template regular expressions, so a template says `{amount}` or
 * `{date}` instead of repeating (and subtly varying) the same number and date expressions.
 * `{name}` with lower-case letters is a macro; regex quantifiers such as `\d{1,3}` are not touched.
 */
import { datePatternSource, type DateFormat } from '../pdf/dates.ts';

// Groups of three after 1–3 digits, separated by a space, no-break space, dot, comma or
// apostrophe; or plain digits; then decimals; then an optional trailing minus. Which mark is the
// decimal one is decided by the number parser, not here.
const NUMBER = String.raw`[-\u2212]?(?:\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+|\d+)(?:[.,]\d+)?-?`;

const FIXED_MACROS: Record<string, string> = {
  number: NUMBER,
  amount: NUMBER,
  // An amount that is not the start of a longer number or a percentage: "Základ DPH 23 % 100,00"
  // must not read 23 as the base.
  money: String.raw`${NUMBER}(?![\d.,]|[ \t]?%)`,
  rate: String.raw`\d{1,2}(?:[.,]\d{1,2})?(?: ?%)?`,
  int: String.raw`\d+`,
  // A Slovak/Czech IČO is 8 digits, sometimes printed in groups ("36 555 720").
  ico: String.raw`\d{2} ?\d{3} ?\d{3}`,
  dic: String.raw`\d{10}`,
  // EU VAT numbers: two letters and 8–12 digits (spaces allowed), plus the Austrian and Dutch shapes.
  vat_id: String.raw`(?:ATU\d{8}|NL\d{9}B\d{2}|[A-Z]{2}(?: ?\d){8,12})`,
  iban: String.raw`[A-Z]{2}\d{2}(?: ?[0-9A-Z]{4}){2,7}(?: ?[0-9A-Z]{1,4})?`,
  bic: String.raw`[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?`,
  // Text up to a column gap (two or more spaces) or the end of the line.
  cell: String.raw`\S+(?: \S+)*`,
  token: String.raw`\S+`,
  // A document number: letters, digits and / . - _, with at least one digit ("FV2026/0012", "11925-10338").
  docno: String.raw`(?=[\w/.-]*\d)\w(?:[\w/.-]*\w)?`,
  // Between a label and its value on the same line: spaces, an optional colon. Never a line break,
  // so a label at the end of one line does not take a value from the next.
  gap: String.raw`[ \t]*:?[ \t]*`,
  currency: String.raw`(?:EUR|CZK|HUF|USD|GBP|PLN|CHF|€|Kč|Ft)`,
};

const MACRO_NAMES = [...Object.keys(FIXED_MACROS), 'date'];

// JavaScript's \b knows only ASCII letters, so "Dodávateľ\b" never matches ("ľ" is no word
// character) and "ž\b" fails mid-word. Templates are written in Slovak, Czech, Hungarian and
// German, so \b means a boundary between letters/digits and anything else, in every alphabet.
const WORD = String.raw`[\p{L}\p{N}_]`;
const UNICODE_BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;

/**
 * The regex source with every macro expanded and \b made Unicode-aware; throws a plain Error
 * naming an unknown macro.
 */
export function expandMacros(source: string, dateFormats: readonly DateFormat[]): string {
  return withUnicodeBoundaries(source).replace(/\{([a-z_]+)\}/g, (_whole, name: string) => {
    if (name === 'date') return datePatternSource(dateFormats);
    const expansion = FIXED_MACROS[name];
    if (expansion === undefined) throw new Error(`unknown macro {${name}} (known: ${MACRO_NAMES.join(', ')})`);
    return expansion;
  });
}

/** Every \b that is not itself escaped ("\\b" is a backslash and a b) becomes UNICODE_BOUNDARY. */
function withUnicodeBoundaries(source: string): string {
  return source.replace(/(?<!\\)((?:\\\\)*)\\b/g, (_whole, backslashes: string) => backslashes + UNICODE_BOUNDARY);
}
