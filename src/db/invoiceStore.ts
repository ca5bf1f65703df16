import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { ACTIVE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';

/**
 * Every write of the invoice lifecycle. Each function is one transaction, and every status
 * change is committed together with its row in invoice_events, so the history has no gaps
 * and a crash at any instant leaves a state the daemon can resume from.
 */
export type Channel = 'drop_folder' | 'http' | 'email' | 'import';

/** A document as it arrives on a channel, with what the channel knows about it. */
export interface Arrival {
  bytes: Buffer;
  filename: string;
  channel: Channel;
  sender?: string | null;
  /** A mail's recipients (To and Cc), comma-separated. */
  mailTo?: string | null;
  subject?: string | null;
  messageId?: string | null;
  sentAt?: string | null;
  /** Names this arrival at its source (file path + size + mtime, message id): a re-read of it is a replay. */
  intakeRef?: string | null;
}

/** An arrival with its media type sniffed from the content. */
export interface IncomingDocument extends Arrival {
  mediaType: string;
}

export interface ReceiveResult {
  invoiceId: string;
  status: InvoiceStatus;
  duplicate: boolean;
  duplicateOf: string | null;
  /** The same arrival seen again (a retried upload, a file re-read after a crash): nothing new was stored. */
  replay: boolean;
}

type Queryable = pg.Pool | pg.PoolClient;

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function appendEvent(
  client: Queryable,
  invoiceId: string,
  from: InvoiceStatus | null,
  to: InvoiceStatus,
  reason: string,
  actor: string,
  details?: unknown,
): Promise<void> {
  // The caller holds the invoice row's lock (INSERT or UPDATE of it in this transaction), so max+1 cannot race.
  await client.query(
    `INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM invoice_events WHERE invoice_id = $1`,
    [invoiceId, from, to, reason, actor, details === undefined ? null : JSON.stringify(details)],
  );
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores an arriving document and its `received` invoice in one transaction. The same bytes
 * arriving again become a `duplicate` invoice linked to the original, unless it is the same
 * arrival read again (same channel and intake reference), which returns what was stored then.
 */
export async function receiveDocument(pool: pg.Pool, doc: IncomingDocument, actor: string): Promise<ReceiveResult> {
  const hash = sha256(doc.bytes);
  return inTransaction(pool, async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO documents (id, sha256, media_type, size_bytes, content) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [randomUUID(), hash, doc.mediaType, doc.bytes.length, doc.bytes],
    );
    let documentId = inserted.rows[0]?.id;
    let original: { id: string; status: InvoiceStatus } | undefined;
    if (!documentId) {
      documentId = (await client.query<{ id: string }>('SELECT id FROM documents WHERE sha256 = $1', [hash])).rows[0]!
        .id;
      if (doc.intakeRef) {
        const replayed = await client.query<{ id: string; status: InvoiceStatus; duplicate_of: string | null }>(
          'SELECT id, status, duplicate_of FROM invoices WHERE channel = $1 AND intake_ref = $2 AND document_id = $3',
          [doc.channel, doc.intakeRef, documentId],
        );
        const seen = replayed.rows[0];
        if (seen) {
          return {
            invoiceId: seen.id,
            status: seen.status,
            duplicate: seen.duplicate_of !== null,
            duplicateOf: seen.duplicate_of,
            replay: true,
          };
        }
      }
      // Lock the original so that two copies arriving at once are ordered.
      const found = await client.query<{ id: string; status: InvoiceStatus }>(
        `SELECT id, status FROM invoices WHERE document_id = $1 AND status <> 'duplicate' FOR UPDATE`,
        [documentId],
      );
      original = found.rows[0];
    }
    const invoiceId = randomUUID();
    const status: InvoiceStatus = original ? 'duplicate' : 'received';
    await client.query(
      `INSERT INTO invoices (id, document_id, status, status_reason, duplicate_of, channel, filename, sender, subject,
         message_id, sent_at, intake_ref, mail_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        invoiceId,
        documentId,
        status,
        original ? `the same file as invoice ${original.id}` : null,
        original?.id ?? null,
        doc.channel,
        doc.filename,
        doc.sender ?? null,
        doc.subject ?? null,
        doc.messageId ?? null,
        doc.sentAt ?? null,
        doc.intakeRef ?? null,
        doc.mailTo ?? null,
      ],
    );
    await appendEvent(
      client,
      invoiceId,
      null,
      'received',
      `received via ${doc.channel.replace('_', ' ')} as ${doc.filename}`,
      actor,
    );
    if (original) {
      await appendEvent(
        client,
        invoiceId,
        'received',
        'duplicate',
        `the same file (SHA-256 ${hash.slice(0, 12)}…) as invoice ${original.id}`,
        actor,
        {
          duplicate_of: original.id,
          by: 'sha256',
        },
      );
    }
    return { invoiceId, status, duplicate: !!original, duplicateOf: original?.id ?? null, replay: false };
  });
}

/** Columns a transition may set together with the status (validation results). */
export interface TransitionPatch {
  validation_status?: 'valid' | 'invalid';
  validation_problems?: unknown[];
}

/**
 * Moves an invoice from one status to the next, with its event row, in ONE statement: the
 * UPDATE and the INSERT of the event are a single atomic statement, so a process dying at
 * any instant leaves both or neither, with or without a surrounding transaction. (Two
 * autocommitted statements once lost an event in the crash test.) Fails with
 * INVOICE_STATE_CONFLICT when the invoice is no longer in `from` (another worker moved it).
 */
export async function transition(
  client: Queryable,
  invoiceId: string,
  from: InvoiceStatus,
  to: InvoiceStatus,
  reason: string,
  actor: string,
  extra: { details?: unknown; duplicateOf?: string; patch?: TransitionPatch } = {},
): Promise<void> {
  const patch = extra.patch ?? {};
  const moved = await client.query(
    `WITH moved AS (
       UPDATE invoices SET status = $3, status_reason = $4, duplicate_of = COALESCE($5, duplicate_of),
         validation_status = COALESCE($8, validation_status),
         validation_problems = COALESCE($9::jsonb, validation_problems), updated_at = now()
       WHERE id = $1 AND status = $2 RETURNING id)
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
     SELECT moved.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_events WHERE invoice_id = $1), $2, $3, $4, $6, $7
     FROM moved`,
    [
      invoiceId,
      from,
      to,
      reason,
      extra.duplicateOf ?? null,
      actor,
      extra.details === undefined ? null : JSON.stringify(extra.details),
      patch.validation_status ?? null,
      patch.validation_problems === undefined ? null : JSON.stringify(patch.validation_problems),
    ],
  );
  if (moved.rowCount !== 1) {
    throw new LoaderError(
      'INVOICE_STATE_CONFLICT',
      `Invoice ${invoiceId} is no longer ${from}; it was not moved to ${to}.`,
      {
        details: { invoiceId, from, to },
      },
    );
  }
}

/** Takes up to `limit` invoices that need work and nobody holds, oldest first. */
export async function claimActive(
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
       ORDER BY received_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING id, status`,
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

export async function loadDocument(
  pool: Queryable,
  invoiceId: string,
): Promise<{ bytes: Buffer; mediaType: string; filename: string }> {
  const found = await pool.query<{ content: Buffer; media_type: string; filename: string }>(
    `SELECT d.content, d.media_type, i.filename FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1`,
    [invoiceId],
  );
  const row = found.rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  return { bytes: row.content, mediaType: row.media_type, filename: row.filename };
}

/** The original of a supplier + number pair, if another invoice already has it. */
export async function findOriginalByNumber(
  client: Queryable,
  invoiceId: string,
  supplierIco: string,
  invoiceNumber: string,
): Promise<string | undefined> {
  const found = await client.query<{ id: string }>(
    `SELECT id FROM invoices WHERE supplier_ico = $1 AND invoice_number = $2 AND id <> $3
       AND status NOT IN ('duplicate', 'rejected') ORDER BY received_at LIMIT 1`,
    [supplierIco, invoiceNumber, invoiceId],
  );
  return found.rows[0]?.id;
}

/** Stores what extraction found: the header in columns, the lines in rows, the whole as extracted. */
export async function saveExtraction(client: Queryable, invoiceId: string, invoice: NormalizedInvoice): Promise<void> {
  const s = invoice.supplier;
  const c = invoice.customer;
  await client.query(
    `UPDATE invoices SET
       document_type = $2, invoice_number = $3, issue_date = $4, tax_point_date = $5, due_date = $6, currency = $7,
       variable_symbol = $8, constant_symbol = $9, order_reference = $10,
       supplier_name = $11, supplier_ico = $12, supplier_dic = $13, supplier_ic_dph = $14, supplier_vat_id = $15,
       supplier_street = $16, supplier_city = $17, supplier_zip = $18, supplier_country = $19, supplier_iban = $20, supplier_bic = $21,
       customer_name = $22, customer_ico = $23, customer_dic = $24, customer_ic_dph = $25, customer_vat_id = $26,
       customer_street = $27, customer_city = $28, customer_zip = $29, customer_country = $30,
       vat_breakdown = $31, total_net = $32, total_vat = $33, total_gross = $34, amount_due = $35, notes = $36,
       source_format = $37, source_template = $38, source_fields = $39, extracted = $40, updated_at = now()
     WHERE id = $1`,
    [
      invoiceId,
      invoice.document_type,
      invoice.invoice_number,
      invoice.issue_date,
      invoice.tax_point_date,
      invoice.due_date,
      invoice.currency,
      invoice.variable_symbol,
      invoice.constant_symbol,
      invoice.order_reference,
      s.name,
      s.ico,
      s.dic,
      s.ic_dph,
      s.vat_id,
      s.street,
      s.city,
      s.zip,
      s.country,
      s.iban,
      s.bic,
      c.name,
      c.ico,
      c.dic,
      c.ic_dph,
      c.vat_id,
      c.street,
      c.city,
      c.zip,
      c.country,
      JSON.stringify(invoice.vat_breakdown),
      invoice.total_net,
      invoice.total_vat,
      invoice.total_gross,
      invoice.amount_due,
      JSON.stringify(invoice.notes),
      invoice.source.format,
      invoice.source.template,
      JSON.stringify(invoice.source.fields),
      JSON.stringify(invoice),
    ],
  );
  await client.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [invoiceId]);
  if (invoice.lines.length === 0) return;
  // All lines in one statement: an invoice may have 200 lines, and a round trip each adds up.
  await client.query(
    `INSERT INTO invoice_lines (invoice_id, line_number, item_code, ean, description, quantity, unit, discount_percent,
       unit_price, unit_price_with_vat, vat_rate, line_net, line_gross)
     SELECT $1, l.line_number, l.item_code, l.ean, l.description, l.quantity, l.unit, l.discount_percent,
       l.unit_price, l.unit_price_with_vat, l.vat_rate, l.line_net, l.line_gross
     FROM jsonb_to_recordset($2::jsonb) AS l(line_number integer, item_code text, ean text, description text,
       quantity numeric, unit text, discount_percent numeric, unit_price numeric, unit_price_with_vat numeric,
       vat_rate numeric, line_net numeric, line_gross numeric)`,
    [invoiceId, JSON.stringify(invoice.lines)],
  );
}

/** The extracted invoice as stored, for validation. */
export async function loadExtracted(pool: Queryable, invoiceId: string): Promise<NormalizedInvoice | null> {
  const found = await pool.query<{ extracted: NormalizedInvoice | null }>(
    'SELECT extracted FROM invoices WHERE id = $1',
    [invoiceId],
  );
  return found.rows[0]?.extracted ?? null;
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
      await transition(
        client,
        invoiceId,
        row.status,
        'unreadable',
        `processing failed ${row.attempts} times; last error: ${error}`,
        options.actor,
        { details: { attempts: row.attempts, error } },
      );
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
