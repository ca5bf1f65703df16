/**
 * The normalized invoice every extractor produces (shared/domain/invoice-json.md): snake_case,
 * amounts, quantities and prices as decimal strings with their real precision, dates as
 * YYYY-MM-DD, and null for anything not on the document (never invented).
 */
export type DocumentType = 'invoice' | 'credit_note' | 'advance_invoice' | 'payment_tax_document';
export type SourceFormat = 'pdf-text' | 'ubl' | 'cii' | 'isdoc' | 'facturx' | 'none';

/** A decimal number as text: "1823.40", "-5", "0.125". */
export type Decimal = string;
/** An ISO date: "2026-07-24". */
export type IsoDate = string;

export interface Party {
  name: string | null;
  ico: string | null;
  dic: string | null;
  ic_dph: string | null;
  vat_id: string | null;
  street: string | null;
  city: string | null;
  zip: string | null;
  country: string | null;
}

export interface SupplierParty extends Party {
  iban: string | null;
  bic: string | null;
}

export interface VatBreakdownRow {
  rate: Decimal;
  base: Decimal;
  tax: Decimal;
}

export interface InvoiceLine {
  line_number: number;
  item_code: string | null;
  ean: string | null;
  description: string | null;
  quantity: Decimal | null;
  unit: string | null;
  discount_percent: Decimal | null;
  unit_price: Decimal | null;
  unit_price_with_vat: Decimal | null;
  vat_rate: Decimal | null;
  line_net: Decimal | null;
  line_gross: Decimal | null;
}

export interface NormalizedInvoice {
  document_type: DocumentType | null;
  invoice_number: string | null;
  issue_date: IsoDate | null;
  tax_point_date: IsoDate | null;
  due_date: IsoDate | null;
  currency: string | null;
  variable_symbol: string | null;
  constant_symbol: string | null;
  order_reference: string | null;
  supplier: SupplierParty;
  customer: Party;
  vat_breakdown: VatBreakdownRow[];
  total_net: Decimal | null;
  total_vat: Decimal | null;
  total_gross: Decimal | null;
  amount_due: Decimal | null;
  lines: InvoiceLine[];
  notes: string[];
  source: { format: SourceFormat; template: string | null; fields: Record<string, string> };
}

const emptyParty = (): Party => ({
  name: null,
  ico: null,
  dic: null,
  ic_dph: null,
  vat_id: null,
  street: null,
  city: null,
  zip: null,
  country: null,
});

/** An invoice with nothing known: what an extractor starts from, and what a document with no extractor yields. */
export function emptyInvoice(format: SourceFormat = 'none'): NormalizedInvoice {
  return {
    document_type: null,
    invoice_number: null,
    issue_date: null,
    tax_point_date: null,
    due_date: null,
    currency: null,
    variable_symbol: null,
    constant_symbol: null,
    order_reference: null,
    supplier: { ...emptyParty(), iban: null, bic: null },
    customer: emptyParty(),
    vat_breakdown: [],
    total_net: null,
    total_vat: null,
    total_gross: null,
    amount_due: null,
    lines: [],
    notes: [],
    source: { format, template: null, fields: {} },
  };
}

/** A line with nothing known but its number: what builders of lines start from. */
export function emptyLine(line_number: number): InvoiceLine {
  return {
    line_number,
    item_code: null,
    ean: null,
    description: null,
    quantity: null,
    unit: null,
    discount_percent: null,
    unit_price: null,
    unit_price_with_vat: null,
    vat_rate: null,
    line_net: null,
    line_gross: null,
  };
}
