import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import { isInvoiceId } from './invoiceQueries.ts';
import { inTransaction, transition } from './invoiceStore.ts';

/**
 * The dead-letter queue: invoices whose posting gave up after nex.retry.maxAttempts or
 * maxRetryTimeMs. A replay puts one back to `approved` with a fresh retry budget; because
 * nex_sent stays set, the writer asks NEX whether it already holds the document before it
 * sends anything (an earlier attempt may have been stored without an answer).
 */
export interface DeadLetter {
  id: string;
  supplier_name: string | null;
  supplier_ico: string | null;
  invoice_number: string | null;
  total_gross: string | null;
  currency: string | null;
  attempts: number;
  last_error: string | null;
  dead_since: string;
}

export async function listDeadLetters(pool: pg.Pool, limit = 100): Promise<DeadLetter[]> {
  const found = await pool.query<DeadLetter>(
    `SELECT id, supplier_name, supplier_ico, invoice_number, total_gross::text AS total_gross, currency,
       nex_attempts AS attempts, nex_last_error AS last_error,
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS dead_since
     FROM invoices WHERE status = 'dead_letter' ORDER BY updated_at, id LIMIT $1`,
    [limit],
  );
  return found.rows;
}

export interface Replay {
  invoiceId: string;
  replayed: boolean;
  message: string;
}

/** Replays one dead letter; an invoice that is not one is reported, not an error, when `all` runs. */
export async function replayDeadLetter(pool: pg.Pool, invoiceId: string, actor: string): Promise<Replay> {
  if (!isInvoiceId(invoiceId)) {
    throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId} (an invoice id is a UUID).`);
  }
  return inTransaction(pool, async (client) => {
    const row = (
      await client.query<{ status: string; nex_sent: boolean }>(
        'SELECT status, nex_sent FROM invoices WHERE id = $1 FOR UPDATE',
        [invoiceId],
      )
    ).rows[0];
    if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
    if (row.status !== 'dead_letter') {
      return {
        invoiceId,
        replayed: false,
        message: `Invoice ${invoiceId} is ${row.status}, not a dead letter; nothing to replay.`,
      };
    }
    const check = row.nex_sent ? '; NEX is asked first whether it already holds the document' : '';
    await transition(client, {
      invoiceId,
      from: 'dead_letter',
      to: 'approved',
      reason: `replayed from the dead-letter queue${check}`,
      actor,
    });
    await client.query(
      `UPDATE invoices SET nex_attempts = 0, nex_first_attempt_at = NULL, next_attempt_at = NULL,
         lease_owner = NULL, lease_until = NULL WHERE id = $1`,
      [invoiceId],
    );
    return { invoiceId, replayed: true, message: `Invoice ${invoiceId} replayed: it will be posted again${check}.` };
  });
}

export async function replayAllDeadLetters(pool: pg.Pool, actor: string): Promise<Replay[]> {
  const ids = (
    await pool.query<{ id: string }>("SELECT id FROM invoices WHERE status = 'dead_letter' ORDER BY updated_at")
  ).rows;
  const replays: Replay[] = [];
  for (const { id } of ids) replays.push(await replayDeadLetter(pool, id, actor));
  return replays;
}
