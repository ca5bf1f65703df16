import type { InvoiceLine, NormalizedInvoice, VatBreakdownRow } from './normalizedInvoice.ts';

/**
 * What people corrected, kept apart from what extraction found: `invoices.extracted` stays the
 * extractor's output, `invoices.operator_edits` holds the operator's values, and the invoice
 * everyone works with (validation, the console, posting to NEX) is the one with the edits laid
 * over the extraction. A field is named by its staging column (`total_gross`, `supplier_iban`),
 * the names src/approval/correctors.ts records; `lines` stands for the whole lines array.
 */
export type HeaderValue = string | VatBreakdownRow[] | null;

export interface OperatorEdits {
  /** Corrected header fields by column name. */
  header?: Record<string, HeaderValue>;
  /** The lines as the operator left them, replacing the extracted ones whole. */
  lines?: InvoiceLine[];
}

export type FieldKind = 'text' | 'decimal' | 'date' | 'currency' | 'document_type' | 'vat_breakdown';

export interface HeaderField {
  /** The staging column, and the field's name in corrections and their events. */
  column: string;
  /** Dotted path in the normalized invoice, as source.fields and validation problems name it. */
  path: string;
  kind: FieldKind;
}

const field = (column: string, kind: FieldKind = 'text'): HeaderField => ({
  column,
  path: column.replace(/^(supplier|customer)_/, '$1.'),
  kind,
});

const party = (prefix: 'supplier' | 'customer') =>
  ['name', 'ico', 'dic', 'ic_dph', 'vat_id', 'street', 'city', 'zip', 'country'].map((key) =>
    field(`${prefix}_${key}`),
  );

/** Every header field a person may correct, in the order the invoice page shows them. */
export const HEADER_FIELDS: readonly HeaderField[] = [
  field('document_type', 'document_type'),
  field('invoice_number'),
  field('issue_date', 'date'),
  field('tax_point_date', 'date'),
  field('due_date', 'date'),
  field('currency', 'currency'),
  field('variable_symbol'),
  field('constant_symbol'),
  field('order_reference'),
  ...party('supplier'),
  field('supplier_iban'),
  field('supplier_bic'),
  ...party('customer'),
  field('vat_breakdown', 'vat_breakdown'),
  field('total_net', 'decimal'),
  field('total_vat', 'decimal'),
  field('total_gross', 'decimal'),
  field('amount_due', 'decimal'),
];

const BY_COLUMN = new Map(HEADER_FIELDS.map((f) => [f.column, f]));

export function headerField(column: string): HeaderField | undefined {
  return BY_COLUMN.get(column);
}

/** The value at a header field's dotted path ('total_gross', 'supplier.iban'), null when unset. */
export function valueAtPath(invoice: NormalizedInvoice, path: string): unknown {
  const [first, second] = path.split('.') as [string, string | undefined];
  const holder = invoice as unknown as Record<string, unknown>;
  const value = second === undefined ? holder[first] : (holder[first] as Record<string, unknown>)[second];
  return value ?? null;
}

/** The value of a header field in an invoice. */
export function headerValue(invoice: NormalizedInvoice, column: string): HeaderValue {
  return valueAtPath(invoice, BY_COLUMN.get(column)!.path) as HeaderValue;
}

function setHeaderValue(invoice: NormalizedInvoice, column: string, value: HeaderValue): void {
  const { path } = BY_COLUMN.get(column)!;
  const [first, second] = path.split('.') as [string, string | undefined];
  const holder = invoice as unknown as Record<string, Record<string, unknown>>;
  if (second === undefined) (holder as Record<string, unknown>)[first] = value;
  else holder[first]![second] = value;
}

/** The invoice with the operator's values laid over the extracted ones; corrected fields' source is `operator`. */
export function withOperatorEdits(extracted: NormalizedInvoice, edits: OperatorEdits | null): NormalizedInvoice {
  const invoice = structuredClone(extracted);
  if (!edits) return invoice;
  for (const [column, value] of Object.entries(edits.header ?? {})) {
    if (!BY_COLUMN.has(column)) continue;
    setHeaderValue(invoice, column, value);
    invoice.source.fields[BY_COLUMN.get(column)!.path] = 'operator';
  }
  if (edits.lines) {
    invoice.lines = structuredClone(edits.lines);
    invoice.source.fields.lines = 'operator';
  }
  return invoice;
}
