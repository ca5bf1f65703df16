import type pg from 'pg';

/**
 * Who changed what money depends on. A correction is recorded as an invoice_events row of kind
 * `corrected`: from_status = to_status (the status does not change by itself), actor = the
 * actor label, and details = `{ kind: 'corrected', by: <person name or cli:user>,
 * changes: { <field>: { before, after }, … } }`, where `lines` stands for any change to the
 * lines. A person who changed any of the fields below cannot approve that invoice: the
 * two-person rule would otherwise let one person both set the amount and wave it through.
 */
export const MONEY_FIELDS = [
  'total_net',
  'total_vat',
  'total_gross',
  'amount_due',
  'vat_breakdown',
  'currency',
  'lines',
  'supplier_iban',
] as const;

/** The money fields this person (approverKey) corrected on the invoice, in the order first changed. */
export async function moneyFieldsCorrectedBy(
  db: pg.Pool | pg.PoolClient,
  invoiceId: string,
  approver: string,
): Promise<string[]> {
  const found = await db.query<{ field: string }>(
    `SELECT DISTINCT field FROM invoice_events e, jsonb_object_keys(e.details->'changes') AS field
     WHERE e.invoice_id = $1 AND e.details->>'kind' = 'corrected' AND lower(e.details->>'by') = lower($2)
       AND jsonb_typeof(e.details->'changes') = 'object' AND field = ANY($3)
     ORDER BY field`,
    [invoiceId, approver, MONEY_FIELDS],
  );
  return found.rows.map((row) => row.field);
}
