/**
 * Header fields on any layout, for documents no supplier template reads: a label word in
 * Slovak, Czech, Hungarian, English, German or French, and the value after it on the same line
 * or under it on the next lines (layouts that print labels above their values). Only fields the
 * template left empty are filled; source.fields names the label that was found.
 */
import type { NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import { DATE_FORMATS, DEFAULT_DATE_FORMATS, parseDate, type DateFormat } from '../pdf/dates.ts';
import { parseDecimal, type NumberStyle } from '../pdf/numbers.ts';
import { PAGE_BREAK } from '../pdf/pdfText.ts';
import { cellsOf } from '../tables/gridCells.ts';
import { headerColumns } from '../tables/itemTable.ts';
import { columnTotalBelow } from './columnTotal.ts';
import { fillLetterDate } from './letterDate.ts';
import { isOwnCompany, sameName, type OwnCompany } from './ownCompany.ts';

type Field = 'invoice_number' | 'issue_date' | 'due_date' | 'total_net' | 'total_vat' | 'total_gross' | 'amount_due';
type Kind = 'docno' | 'date' | 'money';

const LABELS: Record<Field, { kind: Kind; labels: string }> = {
  invoice_number: {
    kind: 'docno',
    labels:
      'Rechnungsnummer|Rechnungs-?Nr\\.?|Rechnung Nr\\.?|Rechnung #|Beleg-Nr\\.?|Invoice #|Invoice No\\.?|Invoice number|Invoice|Facture n°|Facture N°|N° de facture|Numéro de facture|Facture|Számla sorszáma|Számlaszám|Sorszám|Číslo faktúry|Číslo faktury|Faktúra č\\.|Faktura č\\.|Číslo dokladu|Avoir|Credit note(?: No\\.?| number)?|Gutschrift(?:s-?Nr\\.?| Nr\\.?)?|Dobropis(?: č\\.)?',
  },
  issue_date: {
    kind: 'date',
    labels:
      'Rechnungsdatum|Beleg-Datum|Belegdatum|Invoice date|Date of issue|Issue date|issued at|issued on|Date de facture|Date d.émission|Date de la facture|Számla kelte|Kelte|Kiállítás dátuma|Dátum vystavenia|Datum vystavení|Rechnung #\\s*\\S+\\s+(?:vom|von)|Datum|Date',
  },
  due_date: {
    kind: 'date',
    labels:
      'Fälligkeitsdatum|Fälligkeitstag|Der (?:Rechnungs)?betrag\\b[^:]{0,60}?\\bwird am|(?:amount|total)\\b[^:]{0,60}?\\bwill be (?:debited|collected)(?: from your account)? on|Fällig am|Fälligkeit|netto bis|Zahlbar bis(?: zum)?|überweisen Sie bis zum|(?<!\\bvom \\S+ )bis zum|Due date|Payment due(?: date)?|Date due|remit until|Pay by|Date d.échéance|Échéance|Fizetési határidő|Esedékesség|Dátum splatnosti|Datum splatnosti|Splatnosť|Splatnost',
  },
  total_net: {
    kind: 'money',
    labels:
      'Rechnungssumme Netto(?: \\([^)]*\\))?|Summe netto|Nettosumme|Nettobetrag|Gesamt netto|Gesamtbeitrag|Nettobeitrag|Net total|Total net|Total excl\\.? VAT|Subtotal(?: \\(excl\\.? VAT\\))?|Total HT|Montant HT|Total hors taxes|Nettó összesen|Összesen nettó|Spolu bez DPH|Základ dane spolu|Celkem bez DPH|Základ daně celkem',
  },
  total_vat: {
    kind: 'money',
    labels:
      'Total VAT|Total taxes?|VAT total|(?:darin )?enthaltene (?:MwSt\\.?|USt\\.?|Umsatzsteuer|Versicherungs?steuer)|included VAT|VAT amount|USt\\.? Gesamt|Zuzügl\\.? USt\\.?|zzgl\\.? [\\d,.]+ ?% MwSt\\.?|MwSt\\.? gesamt|Steuerbetrag|Summe USt\\.?|Total TVA|Montant TVA|(?<!(?:inklusive|inkl\\.|enthaltene) (?:[\\d,.]+ ?% )?)Versicherungs?steuer(?: [\\d,.]+ ?%)?|TVA|ÁFA összesen|Összesen ÁFA|DPH spolu|DPH celkem',
  },
  total_gross: {
    kind: 'money',
    labels:
      'Rechnungssumme Brutto(?: \\([^)]*\\))?|(?:Gesamtbetrag|Betrag|Beitrag|Summe|Total) (?:inkl\\.?|inklusive|incl\\.?|including) (?:[\\d,.]+ ?% )?(?:MwSt\\.?|USt\\.?|VAT|Versicherungs?steuer)|Bruttosumme|Gesamtbetrag|Rechnungsbetrag|Endbetrag|Total incl\\.? VAT|Grand total|Invoice total|Total TTC|Montant TTC|Bruttó összesen|Összesen bruttó|Celkom s DPH|Celkem s DPH|Due payable|Zahlbetrag|Total due|Amount due|Net à payer',
  },
  amount_due: {
    kind: 'money',
    labels: 'Due payable|Zahlbetrag|Zu zahlen|Amount due|Balance due|Total due|Net à payer|Fizetendő|K úhrade|K úhradě',
  },
};

const VALUE: Record<Kind, RegExp> = {
  docno: /^[#:.\s]*(?:n°|no\.?|nr\.?)?\s*:?\s*((?=[\w/.-]*\d)[A-Z0-9][\w/.-]*[\w])/iu,
  date: /^[#:.\s]*(?:am|on|le|vom|von)?\s*(\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}|\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.?|\d{1,2}\/\d{1,2}\/\d{4}|\d{1,2}\.?\s*\p{L}{3,}\.?\s+\d{4}|\p{L}{3,}\.?\s+\d{1,2},?\s+\d{4})/iu,
  money:
    /^[#:.\s]*(?:\([^)]*\)\s*)?(?:EUR|CZK|HUF|USD|GBP|€|\$|£|Kč|Ft)?\s*(-?\d[\d .,']*\d|\d)(?![\d.,]*\s?%)(?![\d.,]*\/)/iu,
};

const compiled = Object.entries(LABELS).map(([field, { kind, labels }]) => ({
  field: field as Field,
  kind,
  regex: new RegExp(`(?:^|[\\s(])(${labels})(?=[\\s:#]|$)`, 'iu'),
}));

/** Fills what is still null from labels and the values beside or under them. */
export function fillLabelledFields(
  invoice: NormalizedInvoice,
  lines: readonly string[],
  style: NumberStyle,
  dateFormats: readonly DateFormat[] = DEFAULT_DATE_FORMATS,
  own: OwnCompany | null = null,
): void {
  const read: Reading = { style, dateFormats };
  for (const { field, kind, regex } of compiled) {
    if (invoice[field] !== null) continue;
    for (const [index, line] of lines.entries()) {
      const match = regex.exec(line);
      // "Montant HT" over an items table's column is each line's amount, not the total.
      if (!match || (kind === 'money' && headerColumns(line) !== null)) continue;
      const after = line.slice(match.index + match[0].length);
      const label = { start: match.index + match[0].length - match[1]!.length, end: match.index + match[0].length };
      const value =
        valueIn(after, kind, read) ??
        (kind === 'money' ? (amountAtLineEnd(after, style) ?? columnTotalBelow(lines, index, label, style)) : null) ??
        valueBelow(lines, index, match.index, kind, read);
      if (value === null) continue;
      invoice[field] = value;
      invoice.source.fields[field] = `label: ${match[1]!.trim()}`;
      break;
    }
  }
  if (invoice.currency === null) fillCurrency(invoice, lines.join('\n'));
  if (invoice.supplier.vat_id === null) fillSupplierVatId(invoice, lines, own);
  if (invoice.supplier.name === null) fillLetterhead(invoice, lines, own);
  if (invoice.issue_date === null) fillLetterDate(invoice, lines, dateFormats);
}

/**
 * "Versicherungsteuer zur Wohngebäudeversicherung      163,40 €": words that qualify the label,
 * then the amount in the last cell of the row.
 */
function amountAtLineEnd(after: string, style: NumberStyle): string | null {
  const cells = cellsOf(after);
  const last = cells.at(-1);
  // Only words between: "TVA 20,0 %  -20,48 €  -4,10 €" is a breakdown row, not a total.
  if (cells.length < 2 || last === undefined || cells.slice(0, -1).some((cell) => /\d/.test(cell.text))) return null;
  const amount = /^(?:EUR|€|\$|£)?\s?(-?\d[\d .,']*\d|\d)\s?(?:EUR|€|\$|£|Kč|Ft)?$/u.exec(last.text);
  return amount === null ? null : parseDecimal(amount[1]!, style);
}

const COMPANY =
  /^\p{Lu}[\p{L}\d&.,' -]{1,60}?\s(?:Ltd\.?|Limited|GmbH|AG|KG|s\.\s?r\.\s?o\.|spol\. s r\.\s?o\.|a\.\s?s\.|Kft\.|Zrt\.|Bt\.|Inc\.?|LLC|SARL|SAS|S\.A\.|B\.V\.|plc|Co\.)$/u;

/** The letterhead: a company name at the top of the first page, before any other party is named. */
function fillLetterhead(invoice: NormalizedInvoice, lines: readonly string[], own: OwnCompany | null): void {
  for (const line of lines.slice(0, 8)) {
    if (line === PAGE_BREAK) return;
    const first = /\S+(?: \S+)*/.exec(line)?.[0];
    if (first === undefined || SOMEONE_ELSE.test(first)) continue;
    const ours = own !== null && sameName(first, own.name);
    if (COMPANY.test(first) && first !== invoice.customer.name && !ours) {
      invoice.supplier.name = first;
      invoice.source.fields['supplier.name'] = 'letterhead: the company named at the top';
      return;
    }
  }
}

/** How the document prints numbers and dates. */
interface Reading {
  style: NumberStyle;
  dateFormats: readonly DateFormat[];
}

/** "enthaltene Versicherungsteuer   (35,13 €)": an amount included in another, in brackets. */
const INCLUDED_AMOUNT = /^\s*\(\s*(?:EUR|€)?\s*(\d[\d .,']*\d|\d)\s*(?:EUR|€|Kč|Ft)?\s*\)\s*$/u;

function valueIn(text: string, kind: Kind, read: Reading): string | null {
  const included = kind === 'money' ? INCLUDED_AMOUNT.exec(text) : null;
  if (included) return parseDecimal(included[1]!, read.style);
  const match = VALUE[kind].exec(text);
  if (!match) return null;
  const printed = match[1]!.trim();
  // "Date de facture 16/11/2017" names a date, not the document: a number never reads as a date.
  if (kind === 'docno') return parseDate(printed, DATE_FORMATS) === null ? printed : null;
  if (kind === 'date') return readDate(printed, read.dateFormats);
  return parseDecimal(printed.replace(/\s+$/, ''), read.style);
}

/** A label over its value: the value is on one of the next two lines, in any column. */
function valueBelow(lines: readonly string[], index: number, column: number, kind: Kind, read: Reading): string | null {
  for (const next of lines.slice(index + 1, index + 3)) {
    if (next === PAGE_BREAK) return null;
    const cells = [...next.matchAll(/\S+(?: \S+)*/g)];
    // The nearest cell to the label's column first.
    cells.sort((a, b) => Math.abs(a.index - column) - Math.abs(b.index - column));
    for (const cell of cells) {
      const value = valueIn(cell[0], kind, read);
      if (value !== null && (kind !== 'docno' || /^[\w/.-]+$/.test(cell[0]))) return value;
    }
  }
  return null;
}

const EN_MONTH_FIRST = /^(\p{L}{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$/u;

function readDate(printed: string, formats: readonly DateFormat[]): string | null {
  const monthFirst = EN_MONTH_FIRST.exec(printed);
  const text = monthFirst ? `${monthFirst[2]}. ${monthFirst[1]} ${monthFirst[3]}` : printed;
  return parseDate(text, formats);
}

const CURRENCIES: [RegExp, string][] = [
  [/\bEUR\b|€/g, 'EUR'],
  [/\bCZK\b|Kč/g, 'CZK'],
  [/\bHUF\b|\d\s?Ft\b/g, 'HUF'],
  [/\bUSD\b|\$/g, 'USD'],
  [/\bGBP\b|£/g, 'GBP'],
  [/\bCHF\b/g, 'CHF'],
  [/\bPLN\b|zł/g, 'PLN'],
];

/** The currency printed most often, by code or symbol. */
function fillCurrency(invoice: NormalizedInvoice, text: string): void {
  const counted = CURRENCIES.map(([regex, code]) => ({ code, count: text.match(regex)?.length ?? 0 })).sort(
    (a, b) => b.count - a.count,
  );
  if (counted[0]!.count === 0) return;
  invoice.currency = counted[0]!.code;
  invoice.source.fields.currency = 'the currency printed most often';
}

const VAT_LABEL =
  /(?:USt\.?-?\s?Id(?:ent)?\.?-?\s?Nr\.?|USt-?ID|UID-?Nr\.?|VAT[- ]?ID|VAT No\.?|VAT number|VAT Reg\.? No\.?|TVA intracom\w*|(?:N° )?TVA(?! client| collect)|Adószám|IČ DPH|DIČ|Steuer-?Nr\.?)\s*:?\s*((?:ATU\d{8}|[A-Z]{2}(?: ?[0-9A-Z]){8,12}))\b/iu;
const SOMEONE_ELSE = /\b(?:Ihre|Your|Kunde|Kunden|Customer|Buyer|Käufer|Odberateľ|Odběratel|Vevő|client|acheteur)/iu;

/** The supplier's VAT id: the first labelled VAT id that is neither the customer's nor ours. */
function fillSupplierVatId(invoice: NormalizedInvoice, lines: readonly string[], own: OwnCompany | null): void {
  for (const line of lines) {
    const match = VAT_LABEL.exec(line);
    if (!match) continue;
    const before = line.slice(0, match.index);
    if (SOMEONE_ELSE.test(before.slice(-30))) continue;
    const id = match[1]!.replace(/\s+/g, '');
    const ours = own !== null && isOwnCompany({ name: null, ico: null, vat_id: id }, own);
    if (!/^[A-Z]{2}/.test(id) || id === invoice.customer.vat_id || ours) continue;
    invoice.supplier.vat_id = id;
    invoice.source.fields['supplier.vat_id'] = 'label: a VAT id not the customer’s';
    return;
  }
}
