import type pg from 'pg';
import type { MatchingStatus } from '../approval/approvalRules.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { isInvoiceId } from './invoiceQueries.ts';

/**
 * The reads and writes of an operator's choice of a line's NEX product, inside the caller's
 * transaction. The invoice row is locked first (as a correction locks it), so a choice and a
 * correction of the same invoice never interleave.
 */
export interface ProductChoice {
  gs_code: string;
  name: string | null;
  confidence: number | null;
}

export interface LineUnderMatch {
  invoiceStatus: InvoiceStatus;
  supplierIco: string | null;
  line: {
    line_number: number;
    item_code: string | null;
    nex_product_id: string | null;
    match_confidence: number | null;
    match_alternatives: ProductChoice[];
  } | null;
}

/** Locks the invoice and reads the line; null when there is no such invoice. */
export async function lockLineForMatch(
  client: pg.PoolClient,
  invoiceId: string,
  lineNumber: number,
): Promise<LineUnderMatch | null> {
  if (!isInvoiceId(invoiceId)) return null;
  const invoice = (
    await client.query<{ status: InvoiceStatus; supplier_ico: string | null }>(
      'SELECT status, supplier_ico FROM invoices WHERE id = $1 FOR UPDATE',
      [invoiceId],
    )
  ).rows[0];
  if (!invoice) return null;
  const line = (
    await client.query<NonNullable<LineUnderMatch['line']>>(
      `SELECT line_number, item_code, nex_product_id, match_confidence::float8 AS match_confidence, match_alternatives
       FROM invoice_lines WHERE invoice_id = $1 AND line_number = $2`,
      [invoiceId, lineNumber],
    )
  ).rows[0];
  return { invoiceStatus: invoice.status, supplierIco: invoice.supplier_ico, line: line ?? null };
}

/** Stores the person's choice on the line: `manual`, with no confidence (a person is not a measure). */
export async function saveLineMatch(
  client: pg.PoolClient,
  invoiceId: string,
  lineNumber: number,
  choice: { gsCode: string | null; alternatives: ProductChoice[] },
): Promise<void> {
  await client.query(
    `UPDATE invoice_lines SET nex_product_id = $3, matched_by = CASE WHEN $3::text IS NULL THEN NULL ELSE 'manual' END,
       match_confidence = NULL, match_alternatives = $4::jsonb
     WHERE invoice_id = $1 AND line_number = $2`,
    [invoiceId, lineNumber, choice.gsCode, JSON.stringify(choice.alternatives)],
  );
}

/** 'matched' when every line has a product, else 'partial'. */
export async function matchingStatusOf(client: pg.PoolClient, invoiceId: string): Promise<MatchingStatus> {
  const row = (
    await client.query<{ all_matched: boolean | null }>(
      'SELECT bool_and(nex_product_id IS NOT NULL) AS all_matched FROM invoice_lines WHERE invoice_id = $1',
      [invoiceId],
    )
  ).rows[0];
  return row?.all_matched ? 'matched' : 'partial';
}

/**
 * What the supplier's item code teaches the next invoice: a product a person chose is learned
 * as `manual` (which no guess overwrites, src/nex/matching.ts); a product a person took away is
 * forgotten, so the same code does not match it again by itself.
 */
export async function learnOperatorChoice(
  client: pg.PoolClient,
  item: { supplierIco: string | null; itemCode: string | null; before: string | null; after: ProductChoice | null },
): Promise<void> {
  const { supplierIco, itemCode, before, after } = item;
  if (!supplierIco || !itemCode) return;
  if (after) {
    await client.query(
      `INSERT INTO supplier_items (supplier_ico, item_code, gs_code, product_name, learned_from) VALUES ($1, $2, $3, $4, 'manual')
       ON CONFLICT (supplier_ico, item_code) DO UPDATE
         SET gs_code = EXCLUDED.gs_code, product_name = coalesce(EXCLUDED.product_name, supplier_items.product_name),
             learned_from = 'manual', updated_at = now()`,
      [supplierIco, itemCode, after.gs_code, after.name],
    );
  } else if (before) {
    await client.query('DELETE FROM supplier_items WHERE supplier_ico = $1 AND item_code = $2 AND gs_code = $3', [
      supplierIco,
      itemCode,
      before,
    ]);
  }
}

/** The known names of NEX products (learned with the supplier items), for the invoice page. */
export async function productNames(db: pg.Pool | pg.PoolClient, gsCodes: string[]): Promise<Map<string, string>> {
  if (gsCodes.length === 0) return new Map();
  const found = await db.query<{ gs_code: string; product_name: string }>(
    `SELECT DISTINCT ON (gs_code) gs_code, product_name FROM supplier_items
     WHERE gs_code = ANY($1) AND product_name IS NOT NULL ORDER BY gs_code, updated_at DESC`,
    [gsCodes],
  );
  return new Map(found.rows.map((row) => [row.gs_code, row.product_name]));
}
