import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { InvoiceStatus } from '../invoice/status.ts';
import { appendEvent } from './transitions.ts';
import { inTransaction } from './transaction.ts';

/**
 * How a document enters the store, whatever the channel: its bytes and its `received` invoice
 * (or the recognition that it is a replay or a duplicate) in one transaction.
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

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The invoice columns that say where an arrival came from, with their values (one list for both ways in). */
function arrivalColumns(doc: Arrival): { names: string[]; values: unknown[] } {
  const columns: Array<[string, unknown]> = [
    ['channel', doc.channel],
    ['filename', doc.filename],
    ['sender', doc.sender ?? null],
    ['mail_to', doc.mailTo ?? null],
    ['subject', doc.subject ?? null],
    ['message_id', doc.messageId ?? null],
    ['sent_at', doc.sentAt ?? null],
    ['intake_ref', doc.intakeRef ?? null],
  ];
  return { names: columns.map(([name]) => name), values: columns.map(([, value]) => value) };
}

/**
 * Stores an arriving document and its `received` invoice in one transaction. The same bytes
 * arriving again become a `duplicate` invoice linked to the original, unless it is the same
 * arrival read again (same channel and intake reference), which returns what was stored then.
 */
export async function receiveDocument(pool: pg.Pool, doc: IncomingDocument, actor: string): Promise<ReceiveResult> {
  const hash = sha256(doc.bytes);
  const arrival = arrivalColumns(doc);
  const receivedReason = `received via ${doc.channel.replace('_', ' ')} as ${doc.filename}`;
  const freshId = randomUUID();
  // The usual case, content never seen: document, invoice and first event in ONE statement
  // (atomic without a transaction). Content seen before takes the transaction below.
  const fresh = await pool.query({
    name: `invoice-receive-${arrival.names.length}`,
    text: `WITH doc AS (
         INSERT INTO documents (id, sha256, media_type, size_bytes, content) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sha256) DO NOTHING RETURNING id),
       invoice AS (
         INSERT INTO invoices (id, document_id, status, ${arrival.names.join(', ')})
         SELECT $6, doc.id, 'received', ${arrival.names.map((_, k) => `$${9 + k}`).join(', ')} FROM doc RETURNING id)
       INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor)
       SELECT invoice.id, 1, NULL, 'received', $7, $8 FROM invoice`,
    values: [
      randomUUID(),
      hash,
      doc.mediaType,
      doc.bytes.length,
      doc.bytes,
      freshId,
      receivedReason,
      actor,
      ...arrival.values,
    ],
  });
  if (fresh.rowCount === 1) {
    return { invoiceId: freshId, status: 'received', duplicate: false, duplicateOf: null, replay: false };
  }
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
      `INSERT INTO invoices (id, document_id, status, status_reason, duplicate_of, ${arrival.names.join(', ')})
       VALUES ($1, $2, $3, $4, $5, ${arrival.names.map((_, k) => `$${6 + k}`).join(', ')})`,
      [
        invoiceId,
        documentId,
        status,
        original ? `the same file as invoice ${original.id}` : null,
        original?.id ?? null,
        ...arrival.values,
      ],
    );
    await appendEvent(client, invoiceId, null, 'received', receivedReason, actor);
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
