import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { ACTIVE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';
import { supplierKey } from '../invoice/supplierKey.ts';
import type { InvoiceOrigin } from '../invoice/origin.ts';
import { inTransaction } from './transaction.ts';

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

// Kept here for the modules that import it from the store.
export { inTransaction };

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

/** Columns a transition may set together with the status (validation results, how the lines matched). */
export interface TransitionPatch {
  validation_status?: 'valid' | 'invalid';
  validation_problems?: unknown[];
  matching_status?: 'matched' | 'partial' | 'unavailable' | 'not_applicable';
}

/** What a transition may do besides moving the status. */
export interface TransitionExtra {
  details?: unknown;
  duplicateOf?: string;
  patch?: TransitionPatch;
  /**
   * A step whose start and end are committed together (it ran in memory between them): its
   * start marker (e.g. `validating`, "validation started") is recorded as its own event right
   * before the step's event, so the history reads as if each had been committed on its own.
   */
  via?: { status: InvoiceStatus; reason: string };
  /** The invoice leaves this worker's hands: its lease is given back in the same statement. */
  releaseLease?: boolean;
}

/** The event rows of one transition (the `via` marker first), numbered from 1 after the last stored event. */
function transitionEvents(
  from: InvoiceStatus,
  to: InvoiceStatus,
  reason: string,
  extra: TransitionExtra,
): { json: string; count: number } {
  const details = extra.details ?? null;
  const events = extra.via
    ? [
        { n: 1, from_status: from, to_status: extra.via.status, reason: extra.via.reason, details: null },
        { n: 2, from_status: extra.via.status, to_status: to, reason, details },
      ]
    : [{ n: 1, from_status: from, to_status: to, reason, details }];
  return { json: JSON.stringify(events), count: events.length };
}

/**
 * The one statement behind every transition: UPDATE of the invoice (status, and `set` for
 * what the step stores with it) and INSERT of its event rows, plus any `ctes` that depend on
 * `moved` (so they happen only if the invoice moved). $1 id, $2 from, $3 to, $4 reason,
 * $5 duplicate_of, $6 actor, $7 release the lease, $8 the events; the caller's parameters follow.
 */
function transitionSql(set = '', ctes = ''): string {
  return `WITH moved AS (
       UPDATE invoices SET status = $3, status_reason = $4, duplicate_of = COALESCE($5::uuid, duplicate_of),${set}
         lease_owner = CASE WHEN $7::boolean THEN NULL ELSE lease_owner END,
         lease_until = CASE WHEN $7::boolean THEN NULL ELSE lease_until END, updated_at = now()
       WHERE id = $1 AND status = $2 RETURNING id)${ctes}
     INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
     SELECT moved.id, (SELECT COALESCE(MAX(seq), 0) FROM invoice_events WHERE invoice_id = $1) + e.n,
       e.from_status, e.to_status, e.reason, $6, e.details
     FROM moved, jsonb_to_recordset($8::jsonb) AS e(n integer, from_status text, to_status text, reason text, details jsonb)`;
}

const TRANSITION_SQL = transitionSql(`
         validation_status = COALESCE($9, validation_status),
         validation_problems = COALESCE($10::jsonb, validation_problems),
         matching_status = COALESCE($11, matching_status),`);

async function runTransition(
  client: Queryable,
  name: string,
  text: string,
  invoiceId: string,
  from: InvoiceStatus,
  to: InvoiceStatus,
  reason: string,
  actor: string,
  extra: TransitionExtra,
  values: unknown[],
): Promise<void> {
  const events = transitionEvents(from, to, reason, extra);
  // A named statement: parsed and planned once per connection, not once per invoice.
  const moved = await client.query({
    name,
    text,
    values: [
      invoiceId,
      from,
      to,
      reason,
      extra.duplicateOf ?? null,
      actor,
      !!extra.releaseLease,
      events.json,
      ...values,
    ],
  });
  if (moved.rowCount !== events.count) {
    throw new LoaderError(
      'INVOICE_STATE_CONFLICT',
      `Invoice ${invoiceId} is no longer ${from}; it was not moved to ${to}.`,
      {
        details: { invoiceId, from, to },
      },
    );
  }
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
  extra: TransitionExtra = {},
): Promise<void> {
  const patch = extra.patch ?? {};
  await runTransition(client, 'invoice-transition', TRANSITION_SQL, invoiceId, from, to, reason, actor, extra, [
    patch.validation_status ?? null,
    patch.validation_problems === undefined ? null : JSON.stringify(patch.validation_problems),
    patch.matching_status ?? null,
  ]);
}

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

/** The stored document of an invoice, with where it came from (for log lines and metrics). */
export async function loadDocument(
  pool: Queryable,
  invoiceId: string,
): Promise<{ bytes: Buffer; mediaType: string; filename: string; origin: InvoiceOrigin }> {
  const found = await pool.query<{ content: Buffer; media_type: string } & InvoiceOrigin>(
    `SELECT d.content, d.media_type, i.filename, i.channel, i.sender, i.subject, i.message_id
     FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1`,
    [invoiceId],
  );
  const row = found.rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  const { content, media_type, ...origin } = row;
  return { bytes: content, mediaType: media_type, filename: row.filename, origin };
}

/** The original of a supplier + number pair (supplier by src/invoice/supplierKey.ts), if another invoice already has it. */
export async function findOriginalByNumber(
  client: Queryable,
  invoiceId: string,
  supplierKey: string,
  invoiceNumber: string,
): Promise<string | undefined> {
  const found = await client.query<{ id: string }>(
    `SELECT id FROM invoices WHERE supplier_key = $1 AND invoice_number = $2 AND id <> $3
       AND status NOT IN ('duplicate', 'rejected', 'superseded') ORDER BY received_at LIMIT 1`,
    [supplierKey, invoiceNumber, invoiceId],
  );
  return found.rows[0]?.id;
}

/** The invoice columns that hold what extraction found, each with its value. */
const EXTRACTION_COLUMNS: ReadonlyArray<[string, (invoice: NormalizedInvoice) => unknown]> = [
  ['document_type', (i) => i.document_type],
  ['invoice_number', (i) => i.invoice_number],
  ['issue_date', (i) => i.issue_date],
  ['tax_point_date', (i) => i.tax_point_date],
  ['due_date', (i) => i.due_date],
  ['currency', (i) => i.currency],
  ['variable_symbol', (i) => i.variable_symbol],
  ['constant_symbol', (i) => i.constant_symbol],
  ['order_reference', (i) => i.order_reference],
  ['supplier_name', (i) => i.supplier.name],
  ['supplier_ico', (i) => i.supplier.ico],
  ['supplier_dic', (i) => i.supplier.dic],
  ['supplier_ic_dph', (i) => i.supplier.ic_dph],
  ['supplier_vat_id', (i) => i.supplier.vat_id],
  ['supplier_street', (i) => i.supplier.street],
  ['supplier_city', (i) => i.supplier.city],
  ['supplier_zip', (i) => i.supplier.zip],
  ['supplier_country', (i) => i.supplier.country],
  ['supplier_iban', (i) => i.supplier.iban],
  ['supplier_bic', (i) => i.supplier.bic],
  ['supplier_key', (i) => supplierKey(i.supplier)],
  ['customer_name', (i) => i.customer.name],
  ['customer_ico', (i) => i.customer.ico],
  ['customer_dic', (i) => i.customer.dic],
  ['customer_ic_dph', (i) => i.customer.ic_dph],
  ['customer_vat_id', (i) => i.customer.vat_id],
  ['customer_street', (i) => i.customer.street],
  ['customer_city', (i) => i.customer.city],
  ['customer_zip', (i) => i.customer.zip],
  ['customer_country', (i) => i.customer.country],
  ['vat_breakdown', (i) => JSON.stringify(i.vat_breakdown)],
  ['total_net', (i) => i.total_net],
  ['total_vat', (i) => i.total_vat],
  ['total_gross', (i) => i.total_gross],
  ['amount_due', (i) => i.amount_due],
  ['notes', (i) => JSON.stringify(i.notes)],
  ['source_format', (i) => i.source.format],
  ['source_template', (i) => i.source.template],
  ['source_fields', (i) => JSON.stringify(i.source.fields)],
  ['extracted', (i) => JSON.stringify(i)],
  // Extracting again starts over from the document: corrections of the earlier extraction no longer apply.
  ['operator_edits', () => '{}'],
];
const extractionAssignments = (first: number) =>
  EXTRACTION_COLUMNS.map(([column], k) => `${column} = $${first + k}`).join(', ');
const extractionValues = (invoice: NormalizedInvoice) => EXTRACTION_COLUMNS.map(([, value]) => value(invoice));

/** The extracted lines, from one JSON parameter: an invoice may have 200 lines, and a round trip each adds up. */
const LINE_COLUMNS = `line_number, item_code, ean, description, quantity, unit, discount_percent, unit_price,
       unit_price_with_vat, vat_rate, line_net, line_gross`;
const linesFrom = (param: string) => `jsonb_to_recordset(${param}::jsonb) AS l(line_number integer, item_code text,
       ean text, description text, quantity numeric, unit text, discount_percent numeric, unit_price numeric,
       unit_price_with_vat numeric, vat_rate numeric, line_net numeric, line_gross numeric)`;

/** Stores what extraction found: the header in columns, the lines in rows, the whole as extracted. */
export async function saveExtraction(client: Queryable, invoiceId: string, invoice: NormalizedInvoice): Promise<void> {
  await client.query(`UPDATE invoices SET ${extractionAssignments(2)}, updated_at = now() WHERE id = $1`, [
    invoiceId,
    ...extractionValues(invoice),
  ]);
  await client.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [invoiceId]);
  if (invoice.lines.length === 0) return;
  await client.query(
    `INSERT INTO invoice_lines (invoice_id, ${LINE_COLUMNS})
     SELECT $1, ${LINE_COLUMNS.replace(/(\w+)/g, 'l.$1')} FROM ${linesFrom('$2')}`,
    [invoiceId, JSON.stringify(invoice.lines)],
  );
}

/**
 * The end of extraction in ONE statement: the invoice moves from `from` to `to` (extracted, or
 * duplicate) with its event, and what extraction found is stored with it: the header columns,
 * the lines (replacing any stored before), the whole as extracted. Either all of it is
 * committed or none. Fails with INVOICE_STATE_CONFLICT when the invoice is no longer in `from`.
 */
const FIRST_EXTRACTION_PARAM = 9;
const LINES_PARAM = `$${FIRST_EXTRACTION_PARAM + EXTRACTION_COLUMNS.length}`;
const COMMIT_EXTRACTION_SQL = transitionSql(
  `
         ${extractionAssignments(FIRST_EXTRACTION_PARAM)},`,
  `,
     line AS (SELECT * FROM ${linesFrom(LINES_PARAM)}),
     stale AS (DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM moved)
       AND line_number NOT IN (SELECT line_number FROM line)),
     stored AS (INSERT INTO invoice_lines (invoice_id, ${LINE_COLUMNS})
       SELECT moved.id, ${LINE_COLUMNS.replace(/(\w+)/g, 'line.$1')} FROM moved, line
       ON CONFLICT (invoice_id, line_number) DO UPDATE SET
         ${LINE_COLUMNS.split(',')
           .slice(1)
           .map((column) => `${column.trim()} = EXCLUDED.${column.trim()}`)
           .join(', ')},
         nex_product_id = NULL, nex_plu = NULL, matched_by = NULL, match_confidence = NULL,
         match_alternatives = '[]', operator_edits = '{}')`,
);

export async function commitExtraction(
  client: Queryable,
  invoiceId: string,
  invoice: NormalizedInvoice,
  from: InvoiceStatus,
  to: InvoiceStatus,
  reason: string,
  actor: string,
  extra: TransitionExtra = {},
): Promise<void> {
  await runTransition(
    client,
    'invoice-commit-extraction',
    COMMIT_EXTRACTION_SQL,
    invoiceId,
    from,
    to,
    reason,
    actor,
    extra,
    [...extractionValues(invoice), JSON.stringify(invoice.lines)],
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
