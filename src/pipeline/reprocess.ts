import type pg from 'pg';
import type { Decision } from '../approval/decisions.ts';
import { isInvoiceId } from '../db/invoiceQueries.ts';
import { inTransaction, transition } from '../db/invoiceStore.ts';
import { LoaderError } from '../errors.ts';
import { ACTIVE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';

/**
 * `invoices reprocess ID` / `POST /api/invoices/:id/reprocess`: an invoice that stopped in
 * needs_review or unreadable is read again from its stored document, with the templates of
 * today (they are re-read when their files change), instead of being rejected or dropped again
 * as a file (which is a duplicate by its hash). The invoice goes back to `received` with an
 * event that names who asked; the pipeline (`invoices` actor) claims it like a new one, so the
 * history is one chain: … → needs_review → received → extracting → … .
 *
 * What belonged to the earlier reading is reset: the failed-attempt count, approvals given
 * (the document is read again, so a person decides again; the events keep who had approved) and
 * the posting budget. `nex_sent` stays: if NEX may hold the document, the next posting asks first.
 */
export const REPROCESSABLE: readonly InvoiceStatus[] = ['needs_review', 'unreadable'];

/** Answered like a person's decision (src/approval/decisions.ts): the CLI and the API print its message. */
export type Reprocess = Decision;

export async function reprocessInvoice(pool: pg.Pool, invoiceId: string, by: string): Promise<Reprocess> {
  if (!isInvoiceId(invoiceId)) {
    throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId} (an invoice id is a UUID).`);
  }
  return inTransaction(pool, async (client) => {
    const row = (
      await client.query<{ status: InvoiceStatus; status_reason: string | null }>(
        'SELECT status, status_reason FROM invoices WHERE id = $1 FOR UPDATE',
        [invoiceId],
      )
    ).rows[0];
    if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
    if (ACTIVE_STATUSES.includes(row.status)) {
      return {
        invoiceId,
        changed: false,
        status: row.status,
        message: `Invoice ${invoiceId} is ${row.status}: it is being processed already; nothing changed.`,
      };
    }
    if (!REPROCESSABLE.includes(row.status)) {
      throw new LoaderError(
        'INVOICE_NOT_REPROCESSABLE',
        `Invoice ${invoiceId} is ${row.status}; only an invoice in ${REPROCESSABLE.join(' or ')} can be processed again.`,
      );
    }
    await transition(client, {
      invoiceId,
      from: row.status,
      to: 'received',
      reason: `processed again at the request of ${by}: extraction and validation with today's templates`,
      actor: by,
      details: { reprocess: true, previous_status: row.status, previous_reason: row.status_reason },
      releaseLease: true,
    });
    await client.query(
      `UPDATE invoices SET attempts = 0, nex_attempts = 0, nex_first_attempt_at = NULL, next_attempt_at = NULL
       WHERE id = $1`,
      [invoiceId],
    );
    await client.query('DELETE FROM invoice_approvals WHERE invoice_id = $1', [invoiceId]);
    return {
      invoiceId,
      changed: true,
      from: row.status,
      status: 'received',
      message: `Invoice ${invoiceId} (was ${row.status}) will be extracted and validated again; a running daemon takes it within pipeline.pollMs.`,
    };
  });
}
