/**
 * How the layout tests read a generated invoice and compare it: through the shipped templates,
 * which must leave it to the generic reader, field by field and line by line.
 */
import type { ExecutionContext } from 'ava';
import { extractPdfText } from '../../../src/extract/pdf/pdfText.ts';
import { shippedTemplateDir } from '../../../src/extract/shippedTemplates.ts';
import { extractWithTemplates, loadTemplates } from '../../../src/extract/templates/index.ts';
import type { InvoiceLine, NormalizedInvoice } from '../../../src/invoice/normalizedInvoice.ts';
import { layoutPdf, type Layout } from './genericLayouts.ts';

const templates = loadTemplates([shippedTemplateDir]);

export type Header = Partial<
  Pick<
    NormalizedInvoice,
    'invoice_number' | 'issue_date' | 'due_date' | 'currency' | 'total_net' | 'total_vat' | 'total_gross' | 'amount_due'
  > & { supplier_name: string; supplier_vat_id: string }
>;

export function read(layout: Layout): Promise<NormalizedInvoice> {
  return layoutPdf(layout).then(readPdf);
}

export async function readPdf(pdf: Buffer): Promise<NormalizedInvoice> {
  const text = await extractPdfText(pdf);
  const { invoice, template } = extractWithTemplates(text, templates);
  if (template !== 'generic') throw new Error(`read by template ${template}, not by the generic reader`);
  return invoice;
}

function headerOf(invoice: NormalizedInvoice, expected: Header): Header {
  const all: Header = {
    invoice_number: invoice.invoice_number,
    issue_date: invoice.issue_date,
    due_date: invoice.due_date,
    currency: invoice.currency,
    total_net: invoice.total_net,
    total_vat: invoice.total_vat,
    total_gross: invoice.total_gross,
    amount_due: invoice.amount_due,
    supplier_name: invoice.supplier.name ?? undefined,
    supplier_vat_id: invoice.supplier.vat_id ?? undefined,
  } as Header;
  return Object.fromEntries(Object.keys(expected).map((key) => [key, all[key as keyof Header] ?? null])) as Header;
}

/** Every header field the layout prints, each read as printed. */
export function sameHeader(t: ExecutionContext, invoice: NormalizedInvoice, expected: Header): void {
  t.deepEqual(headerOf(invoice, expected), expected);
}

export function sameLines(t: ExecutionContext, got: InvoiceLine[], expected: InvoiceLine[]): void {
  t.is(got.length, expected.length, 'number of lines');
  for (const [index, want] of expected.entries()) {
    for (const field of Object.keys(want) as (keyof InvoiceLine)[]) {
      t.is(got[index]?.[field], want[field], `line ${index + 1} ${field}`);
    }
  }
}
