import type { GatewayFieldError } from './gatewayErrors.ts';

/**
 * The JSON shapes of the NEX gateway contract (shared/domain/nex-gateway.md), in the
 * gateway's own snake_case so that a payload can be compared with the contract by eye.
 *
 * Money, quantities and VAT rates travel as decimal strings ("123.45"): our code never holds
 * money in a float, and JSON numbers would invite it.
 */
export type DecimalString = string;

export interface BarcodeProduct {
  gs_code: number;
  bar_code: string;
  product_name: string;
  product_supplier_code: string | null;
}

export interface MatchRequest {
  original_name: string;
  original_ean: string | null;
  min_confidence: number;
}

export interface MatchedProduct {
  gs_code: number;
  name: string;
  ean: string | null;
}

export interface MatchAlternative extends MatchedProduct {
  confidence: number;
}

export interface MatchResult {
  is_match: boolean;
  /** 0..1; a similarity score, not money. */
  confidence: number;
  confidence_level: 'high' | 'medium' | 'low' | string;
  /** How the gateway matched: e.g. "ean", "name", "none". */
  method: string;
  /** The best candidate; null when the gateway found nothing at all. */
  product: MatchedProduct | null;
  alternatives: MatchAlternative[];
}

export interface Partner {
  pab_code: number;
  name: string;
  ico: string;
  dic: string | null;
  ic_dph: string | null;
}

/** A document NEX already holds: what the writer reconciles an ambiguous post against. */
export interface NexDocumentRef {
  doc_number: string;
  ext_num: string;
  partner_ico: string;
  total: DecimalString;
  created_at: string;
}

export interface ImportParty {
  name: string;
  ico: string;
  dic: string | null;
  ic_dph: string | null;
  street: string | null;
  city: string | null;
  zip: string | null;
  country: string | null;
}

export interface ImportItem {
  line_number: number;
  item_code: string | null;
  item_name: string;
  quantity: DecimalString;
  unit: string | null;
  unit_price: DecimalString;
  vat_rate: DecimalString;
  line_total: DecimalString;
  ean: string | null;
  gs_code: number | null;
}

export interface ImportPayload {
  invoice_number: string;
  invoice_date: string;
  due_date: string | null;
  tax_point_date: string | null;
  variable_symbol: string | null;
  constant_symbol: string | null;
  note: string | null;
  total_amount: DecimalString;
  total_vat: DecimalString;
  total_without_vat: DecimalString;
  currency: string;
  supplier: ImportParty;
  customer: ImportParty;
  items: ImportItem[];
}

/** A 200/201 answer to an import that NEX accepted (a "failed" one becomes a NexError). */
export interface ImportResult {
  status: 'success' | 'partial';
  /** e.g. DD2600100123 — record it on the staged invoice. */
  document_number: string | null;
  delivery_number: string | null;
  products_created: number;
  warnings: string[];
  errors: GatewayFieldError[];
}

export type ImportOutcome =
  | { kind: 'stored'; result: ImportResult }
  /** 409: the gateway recognised the Idempotency-Key (or ExtNum) and holds the document already. */
  | { kind: 'already_imported'; documentNumber: string | null };

export interface HealthAnswer {
  status: string;
  service?: string;
  version?: string;
}
