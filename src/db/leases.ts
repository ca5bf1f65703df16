import type pg from 'pg';
import { ACTIVE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';
import { inTransaction } from './transaction.ts';
import { transition } from './transitions.ts';

/**
 * Who works on an invoice: claims are leases in the database (SKIP LOCKED, so several daemons
 * share the work), renewed while the work runs, given back when it ends, and a failed step
 * recorded with its backoff, or quarantined after too many attempts.
 */
/**
 * Takes up to `limit` invoices that need work and nobody holds, oldest first. With `start`,
 * the same statement also starts the extraction of those still `received`: they move to
 * `extracting` with their event, so the first step of the lifecycle costs no commit of its own.
 */
export async function claimActive(
  pool: pg.Pool,
  owner: string,
  limit: number,
  leaseMs: number,
  start?: { actor: string },
): Promise<Array<{ id: string; status: InvoiceStatus; previous: InvoiceStatus }>> {
  if (limit <= 0) return [];
  if (start) {
    const claimed = await pool.query<{ id: string; status: InvoiceStatus; previous: InvoiceStatus }>({
      name: 'invoice-claim-start',
      text: `WITH picked AS (
         SELECT id, status FROM invoices
         WHERE status = ANY($3) AND (lease_until IS NULL OR lease_until < now())
         ORDER BY received_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE invoices i SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000),
           status = CASE WHEN p.status = 'received' THEN 'extracting' ELSE i.status END,
           status_reason = CASE WHEN p.status = 'received' THEN $6 ELSE i.status_reason END,
           updated_at = CASE WHEN p.status = 'received' THEN now() ELSE i.updated_at END
         FROM picked p WHERE i.id = p.id
         RETURNING i.id, p.status AS was, i.status),
       started AS (
         INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor)
         SELECT c.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_events WHERE invoice_id = c.id),
           'received', 'extracting', $6, $5
         FROM claimed c WHERE c.was = 'received')
       SELECT id, status, was AS previous FROM claimed`,
      values: [owner, leaseMs, ACTIVE_STATUSES, limit, start.actor, 'extraction started'],
    });
    return claimed.rows;
  }
  const claimed = await pool.query<{ id: string; status: InvoiceStatus; previous: InvoiceStatus }>(
    `UPDATE invoices SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (
       SELECT id FROM invoices
       WHERE status = ANY($3) AND (lease_until IS NULL OR lease_until < now())
       ORDER BY received_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING id, status, status AS previous`,
    [owner, leaseMs, ACTIVE_STATUSES, limit],
  );
  return claimed.rows;
}

export async function renewLeases(pool: pg.Pool, owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(
    `UPDATE invoices SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = ANY($2) AND lease_owner = $1`,
    [owner, ids, leaseMs],
  );
}

export async function releaseLease(pool: pg.Pool, owner: string, id: string): Promise<void> {
  await pool.query('UPDATE invoices SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [
    id,
    owner,
  ]);
}

/** Gives back many leases in one statement: a graceful stop spends its shutdown budget on one round trip, not one per invoice. */
export async function releaseLeases(pool: pg.Pool, owner: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(
    'UPDATE invoices SET lease_owner = NULL, lease_until = NULL WHERE id = ANY($2) AND lease_owner = $1',
    [owner, ids],
  );
}

/**
 * A lifecycle step failed (database gone, a bug, a document that hangs the extractor): count
 * the attempt and keep the invoice leased for a backoff, so it is tried again later; after
 * `maxAttempts` it is quarantined as unreadable with the last error, instead of looping forever.
 */
export async function recordFailure(
  pool: pg.Pool,
  invoiceId: string,
  error: string,
  options: { maxAttempts: number; backoffMs: (attempts: number) => number; actor: string },
): Promise<{ attempts: number; quarantined: boolean }> {
  return inTransaction(pool, async (client) => {
    const row = (
      await client.query<{ attempts: number; status: InvoiceStatus }>(
        'UPDATE invoices SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts, status',
        [invoiceId],
      )
    ).rows[0];
    if (!row) return { attempts: 0, quarantined: false };
    if (row.attempts >= options.maxAttempts && ACTIVE_STATUSES.includes(row.status)) {
      await transition(client, {
        invoiceId,
        from: row.status,
        to: 'unreadable',
        reason: `processing failed ${row.attempts} times; last error: ${error}`,
        actor: options.actor,
        details: { attempts: row.attempts, error },
      });
      await client.query('UPDATE invoices SET lease_owner = NULL, lease_until = NULL WHERE id = $1', [invoiceId]);
      return { attempts: row.attempts, quarantined: true };
    }
    await client.query(
      'UPDATE invoices SET lease_until = now() + make_interval(secs => $2::double precision / 1000) WHERE id = $1',
      [invoiceId, options.backoffMs(row.attempts)],
    );
    return { attempts: row.attempts, quarantined: false };
  });
}
