/**
 * PDF text → normalized invoice, by the template that fits the document best. Everything a
 * template does not find stays null; source.fields names the rule behind every value found.
 */
import { emptyInvoice, type NormalizedInvoice, type Party } from '../../invoice/normalizedInvoice.ts';
import { fillLabelledFields } from '../header/labelledFields.ts';
import { putOwnCompanyLast, type OwnCompany } from '../header/ownCompany.ts';
import { withDocumentSlashOrder } from '../pdf/dates.ts';
import { PAGE_BREAK, type PdfText } from '../pdf/pdfText.ts';
import { documentNumberStyle } from '../tables/itemTable.ts';
import { readGenericLines } from '../tables/readLineItems.ts';
import { completeTotals } from '../tables/totalsFromBreakdown.ts';
import { chooseTemplate } from './chooseTemplate.ts';
import { findFields } from './headerFields.ts';
import { readItems, readVatRows } from './tableRows.ts';
import type { Template } from './template.ts';
import type { HeaderField } from './templateSchema.ts';
import { cutSections } from './textSections.ts';

export interface TemplateExtraction {
  invoice: NormalizedInvoice;
  /** The id of the template that read the document. */
  template: string;
}

/** `own`: the company the loader works for, never the supplier (header/ownCompany.ts). */
export function extractWithTemplates(
  text: PdfText,
  templates: Template[],
  own: OwnCompany | null = null,
): TemplateExtraction {
  const template = chooseTemplate(text.text, templates);
  return { invoice: applyTemplate(text, template, own), template: template.id };
}

/** The invoice one given template reads from the text. */
export function applyTemplate(text: PdfText, template: Template, own: OwnCompany | null = null): NormalizedInvoice {
  const invoice = emptyInvoice('pdf-text');
  const sources = invoice.source.fields;
  invoice.source.template = template.id;
  const lines = text.pages.flatMap((page, index) => (index === 0 ? page.lines : [PAGE_BREAK, ...page.lines]));
  // A supplier template knows its date order; the fallback template learns it from the document.
  const dateFormats = template.fallback
    ? withDocumentSlashOrder(template.dateFormats, text.text)
    : template.dateFormats;
  const context = { numberStyle: template.numberStyle, dateFormats };

  const sections = cutSections(lines, template.sections);
  for (const [field, found] of Object.entries(findFields(template.fields, text.text, sections, context))) {
    assign(invoice, field as HeaderField, found.value);
    sources[field] = found.rule;
  }
  mirrorVatIds(invoice.supplier, 'supplier', sources);
  mirrorVatIds(invoice.customer, 'customer', sources);

  if (template.vatBreakdown !== null) {
    invoice.vat_breakdown = readVatRows(lines, template.vatBreakdown, template.numberStyle);
    if (invoice.vat_breakdown.length > 0) sources.vat_breakdown = `rows: ${template.vatBreakdown.label}`;
  }
  if (template.lines !== null) {
    const items = readItems(lines, template.lines, template.numberStyle);
    invoice.lines = items.map((item) => item.line);
    if (items.length > 0) sources.lines = `items: ${template.lines.label}`;
    for (const item of items) {
      if (item.customsCode !== null)
        invoice.notes.push(`Line ${item.line.line_number}: customs tariff code ${item.customsCode}`);
    }
    if (items.some((item) => item.customsCode !== null)) sources.notes = 'customs codes of the items';
    const rates = new Set(invoice.vat_breakdown.map((row) => row.rate));
    if (template.lines.vatRateFromBreakdown && rates.size === 1) {
      const [rate] = rates;
      const missing = invoice.lines.filter((line) => line.vat_rate === null);
      for (const line of missing) line.vat_rate = rate!;
      if (missing.length > 0) sources['lines.vat_rate'] = 'the only VAT rate of the VAT breakdown';
    }
  }
  // The fallback template reads common label forms only; labels over values, other languages
  // and written dates are read here (never over what a template found).
  if (own !== null) putOwnCompanyLast(invoice, own);
  if (template.fallback) fillLabelledFields(invoice, lines, documentNumberStyle(text.text), dateFormats, own);
  completeTotals(invoice);
  fillGenericLines(invoice, lines, text.text, template);
  return invoice;
}

/**
 * Templates still win: the generic table reader fills the lines only where the template's own
 * line rule found none. The fallback template's one-line pattern is a guess as well, so there
 * the table reader's lines win when they reconcile.
 */
function fillGenericLines(invoice: NormalizedInvoice, lines: string[], text: string, template: Template): void {
  const templateFound = invoice.lines.length > 0;
  if (templateFound && !template.fallback) return;
  const style =
    (template.numberStyle.decimalMark ?? 'auto') === 'auto' ? documentNumberStyle(text) : template.numberStyle;
  const generic = readGenericLines(lines, text, invoice, style);
  if (generic === null || (templateFound && !generic.reconciled)) return;
  invoice.lines = generic.lines;
  invoice.source.fields.lines = generic.source;
  if (generic.note !== null) invoice.notes.push(generic.note);
}

function assign(invoice: NormalizedInvoice, field: HeaderField, value: string): void {
  const [head, tail] = field.split('.') as [string, string | undefined];
  const target = (tail === undefined ? invoice : invoice[head as 'supplier' | 'customer']) as unknown as Record<
    string,
    unknown
  >;
  target[tail ?? head] = value;
}

/**
 * invoice-json.md: vat_id is the EU VAT number as printed and ic_dph repeats it for Slovak
 * parties, so whichever of the two the document labels is copied to the other.
 */
function mirrorVatIds(party: Party, name: string, sources: Record<string, string>): void {
  if (party.vat_id === null && party.ic_dph !== null) {
    party.vat_id = party.ic_dph;
    sources[`${name}.vat_id`] = `copied from ${name}.ic_dph`;
  }
  if (party.ic_dph === null && party.vat_id !== null && party.vat_id.startsWith('SK')) {
    party.ic_dph = party.vat_id;
    sources[`${name}.ic_dph`] = `copied from ${name}.vat_id`;
  }
}
