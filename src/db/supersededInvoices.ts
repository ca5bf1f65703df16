import type pg from 'pg';
import type { InvoiceStatus } from '../invoice/status.ts';

/**
 * A stored copy that turned out not to be the document (a drop-folder file still being written
 * when it was read) is `superseded`, in one statement with its event. It may be anywhere before
 * posting: the lifecycle's next commit then finds it moved and stops, the NEX writer never
 * claims it. Once posting began it is left alone: what NEX may hold is for a person to judge.
 */
const SUPERSEDABLE: readonly InvoiceStatus[] = [
  'received',
  'extracting',
  'extracted',
  'validating',
  'needs_review',
  'validated',
  'approved',
  'unreadable',
];

/** Moves the invoice to superseded; returns the status it left, or null when it was past superseding. */
export async function supersedeInvoice(
  pool: pg.Pool,
  invoiceId: string,
  reason: string,
  actor: string,
  details: Record<string, unknown>,
): Promise<InvoiceStatus | null> {
  const moved = await pool.query<{ from_status: InvoiceStatus }>(
    `WITH old AS (SELECT id, status FROM invoices WHERE id = $1 AND status = ANY($2) FOR UPDATE),
     moved AS (
       UPDATE invoices i SET status = 'superseded', status_reason = $3, lease_owner = NULL, lease_until = NULL,
         updated_at = now()
       FROM old WHERE i.id = old.id RETURNING i.id, old.status AS was)
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
     SELECT moved.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_events WHERE invoice_id = $1), moved.was,
       'superseded', $3, $4, $5
     FROM moved RETURNING from_status`,
    [invoiceId, SUPERSEDABLE, reason, actor, JSON.stringify(details)],
  );
  return moved.rows[0]?.from_status ?? null;
}

/** The complete version was stored: the superseded copy points to it (column and event). */
export async function linkSuperseding(
  pool: pg.Pool,
  supersededId: string,
  newInvoiceId: string,
  actor: string,
): Promise<void> {
  await pool.query(
    `WITH linked AS (
       UPDATE invoices SET superseded_by = $2, updated_at = now() WHERE id = $1 AND status = 'superseded' RETURNING id)
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
     SELECT linked.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_events WHERE invoice_id = $1), 'superseded',
       'superseded', 'the complete file is invoice ' || $2::text, $3, jsonb_build_object('superseded_by', $2::text)
     FROM linked`,
    [supersededId, newInvoiceId, actor],
  );
}
