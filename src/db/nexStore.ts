import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { withOperatorEdits, type OperatorEdits } from '../invoice/operatorEdits.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { inTransaction, transition } from './invoiceStore.ts';

/**
 * The NEX writer's reads and writes. Every status change goes through transition(), which
 * stores the writer's own columns (attempts, nex_sent, next attempt, last error, where it was
 * posted) in the same statement as the status and its event, so after a crash the row says
 * exactly what may have reached NEX (nex_sent).
 */
export const POSTING_STATUSES: readonly InvoiceStatus[] = ['approved', 'posting', 'retry'];

/** Where a posting ends; the transition into each gave the invoice's lease back. */
export const POSTING_OUTCOMES: readonly InvoiceStatus[] = ['posted', 'needs_review', 'dead_letter'];

/**
 * Takes up to `limit` invoices to post: approved ones, retries that are due, and posts left
 * by a daemon that died (status posting, lease run out), oldest first.
 */
export async function claimForPosting(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
): Promise<Array<{ id: string; status: InvoiceStatus }>> {
  if (limit <= 0) return [];
  const claimed = await pool.query<{ id: string; status: InvoiceStatus }>(
    `UPDATE invoices SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (
       SELECT id FROM invoices
       WHERE status = ANY($3) AND (lease_until IS NULL OR lease_until < now())
         AND (next_attempt_at IS NULL OR next_attempt_at <= now())
       ORDER BY updated_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING id, status`,
    [owner, leaseMs, POSTING_STATUSES, limit],
  );
  return claimed.rows;
}

/** What posting needs: the invoice as extracted, the NEX product of each line, and the budget used so far. */
export interface PostingRecord {
  id: string;
  status: InvoiceStatus;
  invoice: NormalizedInvoice;
  /** gs_code per line number, where matching found one. */
  products: Map<number, string>;
  attempts: number;
  firstAttemptAt: Date | null;
  sent: boolean;
  /** Where it came from and who approved it, for the outbox sidecar. */
  origin: Record<string, unknown>;
}

export async function loadForPosting(pool: pg.Pool, invoiceId: string): Promise<PostingRecord> {
  const row = (
    await pool.query<{
      id: string;
      status: InvoiceStatus;
      extracted: NormalizedInvoice | null;
      operator_edits: OperatorEdits;
      nex_attempts: number;
      nex_first_attempt_at: Date | null;
      nex_sent: boolean;
      origin: Record<string, unknown>;
    }>(
      `SELECT id, status, extracted, operator_edits, nex_attempts, nex_first_attempt_at, nex_sent,
         json_build_object('channel', channel, 'filename', filename, 'sender', sender, 'subject', subject,
           'message_id', message_id, 'received_at', received_at, 'validation_status', validation_status,
           'approvers', (SELECT coalesce(json_agg(json_build_object('name', approver, 'at', approved_at)
                          ORDER BY approved_at), '[]') FROM invoice_approvals WHERE invoice_id = invoices.id)) AS origin
       FROM invoices WHERE id = $1`,
      [invoiceId],
    )
  ).rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  if (!row.extracted) {
    throw new LoaderError('INVOICE_NOT_EXTRACTED', `Invoice ${invoiceId} has no extracted content to post.`);
  }
  const lines = await pool.query<{ line_number: number; nex_product_id: string | null }>(
    'SELECT line_number, nex_product_id FROM invoice_lines WHERE invoice_id = $1 AND nex_product_id IS NOT NULL',
    [invoiceId],
  );
  return {
    id: row.id,
    status: row.status,
    // What people corrected is what was approved, so it is what NEX gets.
    invoice: withOperatorEdits(row.extracted, row.operator_edits),
    products: new Map(lines.rows.map((line) => [line.line_number, line.nex_product_id!])),
    attempts: row.nex_attempts,
    firstAttemptAt: row.nex_first_attempt_at,
    sent: row.nex_sent,
    origin: row.origin,
  };
}

/**
 * Commits the start of an attempt before anything leaves for NEX: status posting, the
 * attempt counted, and nex_sent set. Returns whether an earlier attempt may have reached NEX
 * (then the caller asks NEX before sending) and the attempt's number.
 */
export async function beginAttempt(
  pool: pg.Pool,
  invoiceId: string,
  actor: string,
): Promise<{ attempt: number; reconcileFirst: boolean }> {
  return inTransaction(pool, async (client) => {
    const row = await lockPosting(client, invoiceId);
    const attempt = row.nex_attempts + 1;
    await transition(client, {
      invoiceId,
      from: row.status,
      to: 'posting',
      reason: `posting to NEX (attempt ${attempt})`,
      actor,
      details: { attempt, reconcile_first: row.nex_sent },
      nex: { attempt, nextAttemptInMs: null },
    });
    return { attempt, reconcileFirst: row.nex_sent };
  });
}

export type PostedVia = 'api' | 'reconciliation' | 'already_imported' | 'outbox';

export async function markPosted(
  pool: pg.Pool,
  invoiceId: string,
  outcome: {
    via: PostedVia;
    documentNumber: string | null;
    deliveryNumber?: string | null;
    outboxFile?: string | null;
    reason: string;
    details?: unknown;
  },
  actor: string,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const row = await lockPosting(client, invoiceId);
    await transition(client, {
      invoiceId,
      from: row.status,
      to: 'posted',
      reason: outcome.reason,
      actor,
      details: { via: outcome.via, document_number: outcome.documentNumber, ...(outcome.details ?? {}) },
      releaseLease: true,
      nex: {
        posted: {
          documentNumber: outcome.documentNumber,
          deliveryNumber: outcome.deliveryNumber ?? null,
          outboxFile: outcome.outboxFile ?? null,
          via: outcome.via,
        },
        lastError: null,
        nextAttemptInMs: null,
      },
    });
  });
}

/** A transient failure: the invoice waits in `retry` until next_attempt_at. */
export async function markRetry(
  pool: pg.Pool,
  invoiceId: string,
  failure: { error: string; code: string; delayMs: number; attempt: number },
  actor: string,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const row = await lockPosting(client, invoiceId);
    await transition(client, {
      invoiceId,
      from: row.status,
      to: 'retry',
      reason: `attempt ${failure.attempt} failed, next in ${Math.round(failure.delayMs / 1000)} s: ${failure.error}`,
      actor,
      details: { attempt: failure.attempt, code: failure.code, error: failure.error, delay_ms: failure.delayMs },
      nex: { lastError: failure.error, nextAttemptInMs: failure.delayMs },
    });
  });
}

/** Gave up: `needs_review` for a refusal a person must fix, `dead_letter` when retries ran out. */
export async function markFailed(
  pool: pg.Pool,
  invoiceId: string,
  to: 'needs_review' | 'dead_letter',
  failure: { error: string; code: string; details?: unknown },
  actor: string,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const row = await lockPosting(client, invoiceId);
    await transition(client, {
      invoiceId,
      from: row.status,
      to,
      reason: failure.error,
      actor,
      details: {
        code: failure.code,
        attempts: row.nex_attempts,
        first_attempt_at: row.nex_first_attempt_at,
        ...(failure.details ?? {}),
      },
      releaseLease: true,
      nex: { lastError: failure.error, nextAttemptInMs: null },
    });
  });
}

interface PostingRow {
  status: InvoiceStatus;
  nex_attempts: number;
  nex_sent: boolean;
  nex_first_attempt_at: Date | null;
}

async function lockPosting(client: pg.PoolClient, invoiceId: string): Promise<PostingRow> {
  const row = (
    await client.query<PostingRow>(
      'SELECT status, nex_attempts, nex_sent, nex_first_attempt_at FROM invoices WHERE id = $1 FOR UPDATE',
      [invoiceId],
    )
  ).rows[0];
  if (!row || !POSTING_STATUSES.includes(row.status)) {
    throw new LoaderError(
      'INVOICE_STATE_CONFLICT',
      `Invoice ${invoiceId} is ${row?.status ?? 'gone'}, not waiting to be posted; the writer leaves it alone.`,
    );
  }
  return row;
}
