import type pg from 'pg';
import { LoaderError } from '../errors.ts';
import type { InvoiceStatus } from '../invoice/status.ts';

/**
 * The one way an invoice's status changes: the UPDATE of the invoice and the INSERT of its
 * event rows in one statement, so the history has no gaps and a crash at any instant leaves a
 * state the daemon can resume from. Other writes build on transitionSql/runTransition so that
 * what a step stores commits in the same statement as the step's event.
 */
export type Queryable = pg.Pool | pg.PoolClient;

/** One event row for a status set without a transition (the first `received`); the caller holds the row's lock. */
export async function appendEvent(
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
  /** What a NEX posting step stores with its status (src/db/nexStore.ts), in the same statement. */
  nex?: NexColumns;
}

/** The NEX writer's columns a posting step sets together with its status. */
export interface NexColumns {
  /** An attempt begins: its number, the first attempt's time (once), and that something may have reached NEX. */
  attempt?: number;
  /** When to try again: in this many ms, or null for not scheduled. Absent: unchanged. */
  nextAttemptInMs?: number | null;
  /** The last error, or null to clear it. Absent: unchanged. */
  lastError?: string | null;
  /** Posted: where it went. */
  posted?: { documentNumber: string | null; deliveryNumber: string | null; outboxFile: string | null; via: string };
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
export function transitionSql(set = '', ctes = ''): string {
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

const PATCH_SET = `
         validation_status = COALESCE($9, validation_status),
         validation_problems = COALESCE($10::jsonb, validation_problems),
         matching_status = COALESCE($11, matching_status),`;

/** The transition with the NEX writer's columns ($12…$21, see transition()). */
const NEX_TRANSITION_SQL = transitionSql(`${PATCH_SET}
         nex_attempts = COALESCE($12::int, nex_attempts),
         nex_first_attempt_at = CASE WHEN $12::int IS NULL THEN nex_first_attempt_at ELSE COALESCE(nex_first_attempt_at, now()) END,
         nex_sent = CASE WHEN $12::int IS NULL THEN nex_sent ELSE true END,
         next_attempt_at = CASE $13::text WHEN 'clear' THEN NULL
           WHEN 'set' THEN now() + make_interval(secs => $14::double precision / 1000) ELSE next_attempt_at END,
         nex_last_error = CASE $15::text WHEN 'clear' THEN NULL WHEN 'set' THEN $16::text ELSE nex_last_error END,
         nex_document_number = CASE WHEN $17::boolean THEN $18::text ELSE nex_document_number END,
         nex_delivery_number = CASE WHEN $17::boolean THEN $19::text ELSE nex_delivery_number END,
         outbox_file = CASE WHEN $17::boolean THEN $20::text ELSE outbox_file END,
         posted_via = CASE WHEN $17::boolean THEN $21::text ELSE posted_via END,
         posted_at = CASE WHEN $17::boolean THEN now() ELSE posted_at END,`);

const TRANSITION_SQL = transitionSql(PATCH_SET);

export async function runTransition(
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
/** One status change: the invoice, the move, why and by whom, and what else it stores. */
export interface Transition extends TransitionExtra {
  invoiceId: string;
  from: InvoiceStatus;
  to: InvoiceStatus;
  reason: string;
  actor: string;
}

export async function transition(client: Queryable, move: Transition): Promise<void> {
  const { invoiceId, from, to, reason, actor, ...extra } = move;
  const patch = extra.patch ?? {};
  const values = [
    patch.validation_status ?? null,
    patch.validation_problems === undefined ? null : JSON.stringify(patch.validation_problems),
    patch.matching_status ?? null,
  ];
  if (!extra.nex) {
    await runTransition(
      client,
      'invoice-transition',
      TRANSITION_SQL,
      invoiceId,
      from,
      to,
      reason,
      actor,
      extra,
      values,
    );
    return;
  }
  const nex = extra.nex;
  const mode = (value: unknown) => (value === undefined ? 'keep' : value === null ? 'clear' : 'set');
  await runTransition(client, 'invoice-nex-transition', NEX_TRANSITION_SQL, invoiceId, from, to, reason, actor, extra, [
    ...values,
    nex.attempt ?? null,
    mode(nex.nextAttemptInMs),
    nex.nextAttemptInMs ?? null,
    mode(nex.lastError),
    nex.lastError ?? null,
    nex.posted !== undefined,
    nex.posted?.documentNumber ?? null,
    nex.posted?.deliveryNumber ?? null,
    nex.posted?.outboxFile ?? null,
    nex.posted?.via ?? null,
  ]);
}
