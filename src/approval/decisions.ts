import type pg from 'pg';
import { isInvoiceId } from '../db/invoiceQueries.ts';
import { inTransaction, transition } from '../db/invoiceStore.ts';
import { LoaderError } from '../errors.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { actorLabel, approverKey, type Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import { approvalsRequired, type ApprovalRules } from './approvalRules.ts';
import { moneyFieldsCorrectedBy } from './correctors.ts';

/**
 * People's decisions on a validated invoice: approve (one person, or two different people
 * above approval.doubleApprovalAbove) and reject. Each decision is an event naming who and
 * when; repeating a decision that already took effect changes nothing and says so.
 * Who decides is the caller's proven identity (a signed-in person, a token, the CLI's OS
 * user), never a name from the request: approving needs a person with role approver (or the
 * CLI on the server), and a person who corrected the invoice's money cannot approve it.
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

const AFTER_APPROVAL: readonly InvoiceStatus[] = ['approved', 'posting', 'retry', 'posted'];
/** What a person may refuse: waiting for them, or a document nobody could read (so it leaves the quarantine list). */
const REJECTABLE: readonly InvoiceStatus[] = ['validated', 'needs_review', 'unreadable'];

export async function approveInvoice(
  pool: pg.Pool,
  invoiceId: string,
  by: Identity,
  rules: ApprovalRules,
): Promise<Decision> {
  const approver = mayApprove(by);
  return inTransaction(pool, async (client) => {
    const invoice = await lockInvoice(client, invoiceId);
    if (AFTER_APPROVAL.includes(invoice.status)) {
      return unchanged(invoice, `Invoice ${invoiceId} is already ${invoice.status}; nothing to approve.`);
    }
    if (invoice.status !== 'validated') throw notDecidable(invoiceId, invoice, 'approved');
    const corrected = await moneyFieldsCorrectedBy(client, invoiceId, approver);
    if (corrected.length > 0) {
      throw new LoaderError(
        'APPROVER_CORRECTED',
        `${approver} corrected ${corrected.join(', ')} of invoice ${invoiceId} and so cannot approve it; another approver must.`,
      );
    }
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
    const actor = actorLabel(by);
    const details = { approvers, required, gross: invoice.total_gross };
    if (approvers.length < required) {
      const reason = `approved by ${approver} (${approvers.length} of ${required}: gross ${invoice.total_gross} is above ${rules.doubleApprovalAbove})`;
      await transition(client, { invoiceId, from: 'validated', to: 'validated', reason, actor, details });
      return {
        invoiceId,
        changed: true,
        status: 'validated',
        message: `Invoice ${invoiceId}: approval ${approvers.length} of ${required} recorded for ${approver}; it needs one more person.`,
      };
    }
    await transition(client, {
      invoiceId,
      from: 'validated',
      to: 'approved',
      reason: `approved by ${approvers.join(' and ')}`,
      actor,
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
  by: Identity,
  reasonText: string,
): Promise<Decision> {
  if (!roleAllows(by.role, 'operator')) throw roleMissing(by, 'reject an invoice', 'operator');
  const person = by.name;
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
    await transition(client, {
      invoiceId,
      from: invoice.status,
      to: 'rejected',
      reason: `rejected by ${person}: ${reason}`,
      actor: actorLabel(by),
      details: { by: person, reason },
    });
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
      'fix its problems first (correct it on the invoice page or with `invoice-loader invoices correct`, or reprocess it); only a validated invoice can be approved',
    unreadable: 'reprocess it with `invoice-loader invoices reprocess` or reject it',
    dead_letter: 'replay it with `invoice-loader dlq replay` instead',
  };
  return new LoaderError(
    'INVOICE_NOT_DECIDABLE',
    `Invoice ${invoiceId} is ${invoice.status}${why} and cannot be ${decision}${hint[invoice.status] ? `: ${hint[invoice.status]}` : ''}.`,
  );
}

/** The approver's key (invoice_approvals.approver), or why this identity may not approve. */
function mayApprove(by: Identity): string {
  const key = approverKey(by);
  if (key === null) {
    throw new LoaderError(
      'APPROVER_NOT_A_PERSON',
      `The token "${by.name}" belongs to nobody and cannot approve; approvals need a person with role approver.`,
    );
  }
  if (!roleAllows(by.role, 'approver')) throw roleMissing(by, 'approve an invoice', 'approver');
  return key;
}

function roleMissing(by: Identity, what: string, needed: string): LoaderError {
  return new LoaderError('ROLE_MISSING', `${by.name} is ${by.role}; to ${what} takes role ${needed}.`);
}
