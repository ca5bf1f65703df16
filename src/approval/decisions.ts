import type pg from 'pg';
import { isInvoiceId } from '../db/invoiceQueries.ts';
import { inTransaction, transition } from '../db/invoiceStore.ts';
import { LoaderError } from '../errors.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { approvalsRequired, type ApprovalRules } from './approvalRules.ts';

/**
 * People's decisions on a validated invoice: approve (one person, or two different people
 * above approval.doubleApprovalAbove) and reject. Each decision is an event naming who and
 * when; repeating a decision that already took effect changes nothing and says so.
 */
export interface Decision {
  invoiceId: string;
  /** False when nothing changed (already approved, posted, rejected …). */
  changed: boolean;
  status: InvoiceStatus;
  message: string;
  /** The status it was in before (for the transition counters). */
  from?: InvoiceStatus;
}

/** Where a decision comes from, for the event's actor: `jana (cli)`. */
export interface DecidedBy {
  name: string;
  via: 'cli' | 'http';
}

const AFTER_APPROVAL: readonly InvoiceStatus[] = ['approved', 'posting', 'retry', 'posted'];
/** What a person may refuse: waiting for them, or a document nobody could read (so it leaves the quarantine list). */
const REJECTABLE: readonly InvoiceStatus[] = ['validated', 'needs_review', 'unreadable'];

export async function approveInvoice(
  pool: pg.Pool,
  invoiceId: string,
  by: DecidedBy,
  rules: ApprovalRules,
): Promise<Decision> {
  const approver = personName(by.name);
  return inTransaction(pool, async (client) => {
    const invoice = await lockInvoice(client, invoiceId);
    if (AFTER_APPROVAL.includes(invoice.status)) {
      return unchanged(invoice, `Invoice ${invoiceId} is already ${invoice.status}; nothing to approve.`);
    }
    if (invoice.status !== 'validated') throw notDecidable(invoiceId, invoice, 'approved');
    const added = await client.query(
      `INSERT INTO invoice_approvals (invoice_id, approver) VALUES ($1, $2)
       ON CONFLICT (invoice_id, lower(btrim(approver))) DO NOTHING`,
      [invoiceId, approver],
    );
    if (added.rowCount === 0) {
      throw new LoaderError(
        'APPROVER_ALREADY_APPROVED',
        `${approver} has already approved invoice ${invoiceId}; the second approval must come from someone else.`,
      );
    }
    const approvers = (
      await client.query<{ approver: string }>(
        'SELECT approver FROM invoice_approvals WHERE invoice_id = $1 ORDER BY approved_at, approver',
        [invoiceId],
      )
    ).rows.map((row) => row.approver);
    const required = approvalsRequired(invoice.total_gross, rules);
    const actor = `${approver} (${by.via})`;
    const details = { approvers, required, gross: invoice.total_gross };
    if (approvers.length < required) {
      const reason = `approved by ${approver} (${approvers.length} of ${required}: gross ${invoice.total_gross} is above ${rules.doubleApprovalAbove})`;
      await transition(client, invoiceId, 'validated', 'validated', reason, actor, { details });
      return {
        invoiceId,
        changed: true,
        status: 'validated',
        message: `Invoice ${invoiceId}: approval ${approvers.length} of ${required} recorded for ${approver}; it needs one more person.`,
      };
    }
    await transition(client, invoiceId, 'validated', 'approved', `approved by ${approvers.join(' and ')}`, actor, {
      details,
    });
    return {
      invoiceId,
      changed: true,
      from: 'validated',
      status: 'approved',
      message: `Invoice ${invoiceId} approved by ${approvers.join(' and ')}; it will be posted to NEX.`,
    };
  });
}

export async function rejectInvoice(
  pool: pg.Pool,
  invoiceId: string,
  by: DecidedBy,
  reasonText: string,
): Promise<Decision> {
  const person = personName(by.name);
  const reason = reasonText.trim();
  if (!reason) throw new LoaderError('REJECT_REASON_MISSING', 'Say why the invoice is rejected (--reason).');
  return inTransaction(pool, async (client) => {
    const invoice = await lockInvoice(client, invoiceId);
    if (invoice.status === 'rejected') {
      return unchanged(invoice, `Invoice ${invoiceId} is already rejected; nothing changed.`);
    }
    if (!REJECTABLE.includes(invoice.status)) {
      throw notDecidable(invoiceId, invoice, 'rejected');
    }
    await transition(
      client,
      invoiceId,
      invoice.status,
      'rejected',
      `rejected by ${person}: ${reason}`,
      `${person} (${by.via})`,
      {
        details: { by: person, reason },
      },
    );
    return {
      invoiceId,
      changed: true,
      from: invoice.status,
      status: 'rejected',
      message: `Invoice ${invoiceId} rejected by ${person}.`,
    };
  });
}

interface LockedInvoice {
  id: string;
  status: InvoiceStatus;
  status_reason: string | null;
  total_gross: string | null;
}

async function lockInvoice(client: pg.PoolClient, invoiceId: string): Promise<LockedInvoice> {
  if (!isInvoiceId(invoiceId)) {
    throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId} (an invoice id is a UUID).`);
  }
  const row = (
    await client.query<LockedInvoice>(
      'SELECT id, status, status_reason, total_gross::text AS total_gross FROM invoices WHERE id = $1 FOR UPDATE',
      [invoiceId],
    )
  ).rows[0];
  if (!row) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}.`);
  return row;
}

function unchanged(invoice: LockedInvoice, message: string): Decision {
  return { invoiceId: invoice.id, changed: false, status: invoice.status, message };
}

function notDecidable(invoiceId: string, invoice: LockedInvoice, decision: 'approved' | 'rejected'): LoaderError {
  const why = invoice.status_reason ? ` (${invoice.status_reason})` : '';
  const hint: Partial<Record<InvoiceStatus, string>> = {
    needs_review:
      'fix its problems first (then `invoice-loader invoices reprocess`); only a validated invoice can be approved',
    unreadable: 'reprocess it with `invoice-loader invoices reprocess` or reject it',
    dead_letter: 'replay it with `invoice-loader dlq replay` instead',
  };
  return new LoaderError(
    'INVOICE_NOT_DECIDABLE',
    `Invoice ${invoiceId} is ${invoice.status}${why} and cannot be ${decision}${hint[invoice.status] ? `: ${hint[invoice.status]}` : ''}.`,
  );
}

function personName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed)
    throw new LoaderError('APPROVER_MISSING', 'Name the person deciding (--as NAME, or "approver" in the request).');
  return trimmed;
}
