import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { withOperatorEdits, type OperatorEdits } from '../invoice/operatorEdits.ts';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';

/**
 * Reads of staged invoices for the API and the CLI. Amounts come back as decimal strings
 * (pg returns `numeric` as text), dates as YYYY-MM-DD (`date` is cast to text, so no time
 * zone can shift it).
 */
export interface InvoiceSummary {
  id: string;
  status: InvoiceStatus;
  status_reason: string | null;
  channel: string;
  filename: string;
  sender: string | null;
  received_at: string;
  invoice_number: string | null;
  supplier_name: string | null;
  supplier_ico: string | null;
  issue_date: string | null;
  total_gross: string | null;
  currency: string | null;
  duplicate_of: string | null;
}

export interface InvoiceEvent {
  seq: number;
  at: string;
  from_status: InvoiceStatus | null;
  to_status: InvoiceStatus;
  reason: string | null;
  actor: string;
  details: unknown;
}

export interface InvoiceDetail extends InvoiceSummary {
  subject: string | null;
  message_id: string | null;
  document: { sha256: string; media_type: string; size_bytes: number };
  /** The invoice as it now stands: the extraction with people's corrections laid over it. */
  invoice: NormalizedInvoice | null;
  /** What extraction found, untouched by corrections. */
  extracted: NormalizedInvoice | null;
  operator_edits: OperatorEdits;
  validation: { status: 'valid' | 'invalid' | null; problems: unknown[] };
  lines: Array<Record<string, unknown>>;
  events: InvoiceEvent[];
  attempts: number;
  /** Approval and posting: who approved, how the lines matched, where it went in NEX. */
  nex: {
    matching_status: string | null;
    approvers: Array<{ name: string; at: string }>;
    attempts: number;
    last_error: string | null;
    document_number: string | null;
    posted_via: string | null;
    posted_at: string | null;
    outbox_file: string | null;
  };
}

const SUMMARY_COLUMNS = `i.id, i.status, i.status_reason, i.channel, i.filename, i.sender,
  to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at,
  i.invoice_number, i.supplier_name, i.supplier_ico, i.issue_date::text AS issue_date, i.total_gross::text AS total_gross,
  i.currency, i.duplicate_of`;

/** Invoice ids are UUIDs; anything else cannot name one (and would make PostgreSQL fail on the cast). */
export function isInvoiceId(text: string): boolean {
  return /^[0-9a-f-]{36}$/i.test(text);
}

export function assertStatus(status: string): InvoiceStatus {
  if (!(INVOICE_STATUSES as readonly string[]).includes(status)) {
    throw new LoaderError(
      'INVALID_STATUS',
      `"${status}" is not an invoice status; use one of: ${INVOICE_STATUSES.join(', ')}.`,
    );
  }
  return status as InvoiceStatus;
}

export async function listInvoices(
  pool: pg.Pool,
  options: { status?: InvoiceStatus; limit?: number } = {},
): Promise<InvoiceSummary[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const result = await pool.query<InvoiceSummary>(
    `SELECT ${SUMMARY_COLUMNS} FROM invoices i WHERE ($1::text IS NULL OR i.status = $1)
     ORDER BY i.received_at DESC, i.id LIMIT $2`,
    [options.status ?? null, limit],
  );
  return result.rows;
}

export async function getInvoice(pool: pg.Pool, id: string): Promise<InvoiceDetail | null> {
  if (!isInvoiceId(id)) return null;
  const found = await pool.query(
    `SELECT ${SUMMARY_COLUMNS}, i.subject, i.message_id, i.extracted, i.operator_edits, i.validation_status, i.validation_problems, i.attempts,
       d.sha256, d.media_type, d.size_bytes,
       json_build_object('matching_status', i.matching_status, 'attempts', i.nex_attempts, 'last_error', i.nex_last_error,
         'document_number', i.nex_document_number, 'posted_via', i.posted_via, 'outbox_file', i.outbox_file,
         'posted_at', to_char(i.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'approvers', (SELECT coalesce(json_agg(json_build_object('name', a.approver,
             'at', to_char(a.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY a.approved_at), '[]')
           FROM invoice_approvals a WHERE a.invoice_id = i.id)) AS nex
     FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1`,
    [id],
  );
  const row = found.rows[0];
  if (!row) return null;
  const [lines, events] = await Promise.all([
    pool.query(
      `SELECT line_number, item_code, ean, description, quantity::text AS quantity, unit, discount_percent::text AS discount_percent,
         unit_price::text AS unit_price, unit_price_with_vat::text AS unit_price_with_vat, vat_rate::text AS vat_rate,
         line_net::text AS line_net, line_gross::text AS line_gross, nex_product_id, nex_plu, matched_by,
         match_confidence::text AS match_confidence, match_alternatives, operator_edits
       FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_number`,
      [id],
    ),
    pool.query<InvoiceEvent>(
      `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, from_status, to_status, reason, actor, details
       FROM invoice_events WHERE invoice_id = $1 ORDER BY seq`,
      [id],
    ),
  ]);
  const {
    sha256,
    media_type,
    size_bytes,
    extracted,
    operator_edits,
    validation_status,
    validation_problems,
    attempts,
    nex,
    ...summary
  } = row;
  return {
    ...(summary as InvoiceSummary & { subject: string | null; message_id: string | null }),
    document: { sha256, media_type, size_bytes },
    invoice: extracted ? withOperatorEdits(extracted, operator_edits) : null,
    extracted,
    operator_edits,
    validation: { status: validation_status, problems: validation_problems },
    lines: lines.rows,
    events: events.rows,
    attempts,
    nex,
  };
}

/** The original bytes, for download and re-processing. */
export async function getDocumentContent(
  pool: pg.Pool,
  invoiceId: string,
): Promise<{ bytes: Buffer; mediaType: string; filename: string } | null> {
  if (!isInvoiceId(invoiceId)) return null;
  const found = await pool.query<{ content: Buffer; media_type: string; filename: string }>(
    'SELECT d.content, d.media_type, i.filename FROM invoices i JOIN documents d ON d.id = i.document_id WHERE i.id = $1',
    [invoiceId],
  );
  const row = found.rows[0];
  return row ? { bytes: row.content, mediaType: row.media_type, filename: row.filename } : null;
}
