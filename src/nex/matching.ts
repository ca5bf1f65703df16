import type pg from 'pg';
import type { MatchingStatus } from '../approval/approvalRules.ts';
import { errorMessage } from '../errors.ts';
import type { InvoiceLine } from '../invoice/normalizedInvoice.ts';
import type { GatewayClient } from './gatewayClient.ts';

/**
 * Finds the NEX product of each invoice line, most certain way first:
 *   1. the EAN, through the gateway's barcode lookup;
 *   2. the supplier's own item code, from what earlier matches of this supplier taught
 *      (supplier_items: learned from EAN and name matches, and from operators);
 *   3. the name, through the gateway's fuzzy match, kept only at or above
 *      nex.matching.minConfidence; the gateway's alternatives are stored either way.
 * A gateway failure ends matching as `unavailable` (the invoice then waits for a person);
 * it never fails the invoice.
 */
export interface LineMatch {
  line_number: number;
  gs_code: string | null;
  matched_by: 'ean' | 'seller_code' | 'name' | null;
  confidence: number | null;
  alternatives: Array<{ gs_code: string; name: string; confidence: number | null }>;
}

export interface MatchingOutcome {
  status: MatchingStatus;
  lines: LineMatch[];
  /** Why matching stopped early (gateway unreachable, breaker open). */
  error?: string;
}

type Queryable = pg.Pool | pg.PoolClient;

export async function matchLines(
  gateway: GatewayClient,
  db: Queryable,
  supplierIco: string | null,
  lines: InvoiceLine[],
  minConfidence: number,
): Promise<MatchingOutcome> {
  const matches: LineMatch[] = [];
  try {
    for (const line of lines) matches.push(await matchLine(gateway, db, supplierIco, line, minConfidence));
  } catch (error) {
    return { status: 'unavailable', lines: matches, error: errorMessage(error) };
  }
  const all = matches.length > 0 && matches.every((match) => match.gs_code !== null);
  return { status: all ? 'matched' : 'partial', lines: matches };
}

async function matchLine(
  gateway: GatewayClient,
  db: Queryable,
  supplierIco: string | null,
  line: InvoiceLine,
  minConfidence: number,
): Promise<LineMatch> {
  const unmatched: LineMatch = {
    line_number: line.line_number,
    gs_code: null,
    matched_by: null,
    confidence: null,
    alternatives: [],
  };
  if (line.ean) {
    const product = await gateway.barcode(line.ean);
    if (product) {
      await learn(db, supplierIco, line.item_code, String(product.gs_code), product.product_name, 'ean');
      return { ...unmatched, gs_code: String(product.gs_code), matched_by: 'ean', confidence: 1 };
    }
  }
  if (supplierIco && line.item_code) {
    const known = (
      await db.query<{ gs_code: string }>(
        'SELECT gs_code FROM supplier_items WHERE supplier_ico = $1 AND item_code = $2',
        [supplierIco, line.item_code],
      )
    ).rows[0];
    if (known) return { ...unmatched, gs_code: known.gs_code, matched_by: 'seller_code', confidence: 1 };
  }
  if (!line.description) return unmatched;
  const found = await gateway.matchProduct({
    original_name: line.description,
    original_ean: line.ean,
    min_confidence: minConfidence,
  });
  const alternatives = [
    ...(found.product && !(found.is_match && found.confidence >= minConfidence)
      ? [{ gs_code: String(found.product.gs_code), name: found.product.name, confidence: found.confidence }]
      : []),
    ...found.alternatives.map((a) => ({ gs_code: String(a.gs_code), name: a.name, confidence: a.confidence })),
  ];
  if (found.is_match && found.product && found.confidence >= minConfidence) {
    await learn(db, supplierIco, line.item_code, String(found.product.gs_code), found.product.name, 'name');
    return {
      ...unmatched,
      gs_code: String(found.product.gs_code),
      matched_by: 'name',
      confidence: found.confidence,
      alternatives,
    };
  }
  return { ...unmatched, alternatives };
}

/** Remembers a supplier's item code; an operator's choice (manual) is never overwritten by a guess. */
async function learn(
  db: Queryable,
  supplierIco: string | null,
  itemCode: string | null,
  gsCode: string,
  name: string,
  from: 'ean' | 'name',
): Promise<void> {
  if (!supplierIco || !itemCode) return;
  await db.query(
    `INSERT INTO supplier_items (supplier_ico, item_code, gs_code, product_name, learned_from) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (supplier_ico, item_code) DO UPDATE
       SET gs_code = EXCLUDED.gs_code, product_name = EXCLUDED.product_name, learned_from = EXCLUDED.learned_from, updated_at = now()
       WHERE supplier_items.learned_from <> 'manual'`,
    [supplierIco, itemCode, gsCode, name, from],
  );
}

/** Stores each line's match (product, how, confidence, alternatives) and the invoice's matching status. */
export async function saveMatches(db: Queryable, invoiceId: string, outcome: MatchingOutcome): Promise<void> {
  await db.query(
    `UPDATE invoice_lines l SET nex_product_id = m.gs_code, matched_by = m.matched_by,
       match_confidence = m.confidence, match_alternatives = coalesce(m.alternatives, '[]')
     FROM jsonb_to_recordset($2::jsonb) AS m(line_number int, gs_code text, matched_by text, confidence numeric, alternatives jsonb)
     WHERE l.invoice_id = $1 AND l.line_number = m.line_number`,
    [invoiceId, JSON.stringify(outcome.lines)],
  );
  await db.query('UPDATE invoices SET matching_status = $2 WHERE id = $1', [invoiceId, outcome.status]);
}
