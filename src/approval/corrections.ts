import type pg from 'pg';
import { actorLabel, type Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import {
  lockForCorrection,
  saveCorrection,
  withdrawApprovals,
  type CorrectedLine,
  type InvoiceUnderCorrection,
} from '../db/correctionStore.ts';
import { inTransaction, transition } from '../db/invoiceStore.ts';
import { LoaderError } from '../errors.ts';
import type { InvoiceLine, NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import {
  headerField,
  headerValue,
  withOperatorEdits,
  type HeaderValue,
  type OperatorEdits,
} from '../invoice/operatorEdits.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { equals, parseDecimal } from '../validate/decimal.ts';
import { reviewReason } from '../validate/reviewReason.ts';
import type { ValidationProblem, ValidationResult } from '../validate/validateInvoice.ts';
import type { ApprovalGate } from './afterValidation.ts';
import type { CorrectionRequest } from './correctionRequest.ts';
import { MONEY_FIELDS } from './correctors.ts';
import { LINE_DECIMALS } from '../validate/decimalFields.ts';

/**
 * A person corrects an invoice that waits for people (needs_review, or validated and awaiting
 * approval): in ONE transaction the invoice is locked, the changed header fields and lines are
 * stored beside the extraction, a `corrected` event records before → after per field and who
 * (the format src/approval/correctors.ts reads), and the invoice is validated again. A valid
 * invoice then meets the approval rules exactly as after extraction; an invalid one stays in
 * needs_review with its problems. Approvals given before the correction are withdrawn: they
 * approved other values.
 */
export interface CorrectionDeps {
  pool: pg.Pool;
  validate: (invoice: NormalizedInvoice) => ValidationResult;
  /** Matching and the approval rules; without it a valid invoice waits in validated. */
  approval?: ApprovalGate | undefined;
}

export interface CorrectionOutcome {
  invoiceId: string;
  changed: boolean;
  /** The status it was in before. */
  from: InvoiceStatus;
  status: InvoiceStatus;
  /** The fields that changed (column names; `lines` for any line). */
  fields: string[];
  problems: ValidationProblem[];
  message: string;
}

type Change = { before: unknown; after: unknown };

const LINE_AMOUNTS = new Set<string>(LINE_DECIMALS);
const CORRECTABLE: readonly InvoiceStatus[] = ['needs_review', 'validated'];

export async function correctInvoice(
  deps: CorrectionDeps,
  invoiceId: string,
  by: Identity,
  request: CorrectionRequest,
): Promise<CorrectionOutcome> {
  if (!roleAllows(by.role, 'operator')) {
    throw new LoaderError('ROLE_MISSING', `${by.name} is ${by.role}; to correct an invoice takes role operator.`);
  }
  return inTransaction(deps.pool, async (client) => {
    const found = await lockForCorrection(client, invoiceId);
    if (!CORRECTABLE.includes(found.status)) {
      throw new LoaderError(
        'INVOICE_NOT_CORRECTABLE',
        `Invoice ${invoiceId} is ${found.status}; only an invoice that needs review or awaits approval can be corrected.`,
      );
    }
    const { changes, edits, lines } = compare(found, request);
    const fields = Object.keys(changes);
    if (fields.length === 0) {
      return {
        invoiceId,
        changed: false,
        from: found.status,
        status: found.status,
        fields,
        problems: [],
        message: `Invoice ${invoiceId}: the values sent are the ones it has; nothing changed.`,
      };
    }
    const invoice = withOperatorEdits(found.extracted, edits);
    await saveCorrection(client, invoiceId, {
      invoice,
      edits,
      columns: fields.filter((field) => field !== 'lines'),
      lines,
    });
    const withdrawn = found.status === 'validated' ? await withdrawApprovals(client, invoiceId) : [];
    const actor = actorLabel(by);
    const because = request.reason ? `: ${request.reason}` : '';
    await transition(client, {
      invoiceId,
      from: found.status,
      to: found.status,
      reason: `corrected by ${by.name} (${fields.join(', ')})${because}`,
      actor,
      details: {
        kind: 'corrected',
        by: by.name,
        changes,
        ...(request.reason ? { reason: request.reason } : {}),
        ...(withdrawn.length ? { approvals_withdrawn: withdrawn } : {}),
      },
    });
    const result = deps.validate(invoice);
    const moneyChanged = fields.some((field) => (MONEY_FIELDS as readonly string[]).includes(field));
    const status = await revalidate(deps, client, {
      id: invoiceId,
      from: found.status,
      invoice,
      result,
      actor,
      moneyChanged,
    });
    return {
      invoiceId,
      changed: true,
      from: found.status,
      status,
      fields,
      problems: result.problems,
      message: outcomeSentence(invoiceId, by.name, status, result),
    };
  });
}

/** What the request changes against the invoice as it stands, and the operator's values after it. */
function compare(
  found: InvoiceUnderCorrection,
  request: CorrectionRequest,
): { changes: Record<string, Change>; edits: OperatorEdits; lines: CorrectedLine[] | null } {
  const changes: Record<string, Change> = {};
  const header: Record<string, HeaderValue> = { ...found.edits.header };
  for (const [column, after] of Object.entries(request.header)) {
    const before = headerValue(found.current, column);
    if (sameValue(before, after, headerField(column)?.kind === 'decimal')) continue;
    changes[column] = { before, after };
    header[column] = after;
  }
  const lines = request.lines && changedLines(found.current.lines, request.lines);
  if (lines) changes.lines = { before: found.current.lines, after: request.lines };
  const operatorLines = lines ? request.lines! : found.edits.lines;
  return { changes, edits: { header, ...(operatorLines ? { lines: operatorLines } : {}) }, lines };
}

/** The validation after a correction, recorded like the pipeline's: a transition with its problems. */
async function revalidate(
  deps: CorrectionDeps,
  client: pg.PoolClient,
  step: {
    id: string;
    from: InvoiceStatus;
    invoice: NormalizedInvoice;
    result: ValidationResult;
    actor: string;
    moneyChanged: boolean;
  },
): Promise<InvoiceStatus> {
  const { id, from, invoice, result, actor, moneyChanged } = step;
  const patch = {
    validation_status: result.valid ? ('valid' as const) : ('invalid' as const),
    validation_problems: result.problems,
  };
  const details = { problems: result.problems, after: 'correction' };
  if (!result.valid) {
    await transition(client, {
      invoiceId: id,
      from,
      to: 'needs_review',
      reason: reviewReason(result.problems),
      actor,
      details,
      patch,
    });
    return 'needs_review';
  }
  const reason = `valid after correction${result.problems.length ? ` with ${result.problems.length} warning(s)` : ''}`;
  if (!deps.approval) {
    await transition(client, { invoiceId: id, from, to: 'validated', reason, actor, details, patch });
    return 'validated';
  }
  // The lines may have changed: matching runs again, as after extraction. It asks the gateway while
  // the row is locked; the gateway's own timeout bounds that, and only this invoice waits.
  const decided = await deps.approval.decide(deps.pool, invoice);
  // Amounts a person typed in are approved by another person, never by the rules: otherwise an
  // operator could lower a total under approval.autoApproveBelow and see it posted unseen.
  const decision =
    moneyChanged && decided.approve ? { ...decided, approve: false, reason: HELD_FOR_APPROVER } : decided;
  const waiting = decision.approve ? reason : `${reason}; ${decision.reason}`;
  await transition(client, {
    invoiceId: id,
    from,
    to: 'validated',
    reason: waiting,
    actor,
    details,
    patch: { ...patch, matching_status: decision.matchingStatus },
  });
  await deps.approval.record(client, id, decision);
  return decision.approve ? 'approved' : 'validated';
}

const HELD_FOR_APPROVER =
  'its amounts, lines or IBAN were corrected by a person, so an approver decides (not approval.autoApproveBelow)';

/** The lines to write (changed or added, with what changed), or null when the lines are as they were. */
function changedLines(before: InvoiceLine[], after: InvoiceLine[]): CorrectedLine[] | null {
  const written: CorrectedLine[] = [];
  after.forEach((line, index) => {
    const old = before[index];
    if (!old) {
      written.push({ line, edits: { added: true } });
      return;
    }
    const fields = (Object.keys(line) as Array<keyof InvoiceLine>).filter(
      (key) => key !== 'line_number' && !sameValue(old[key], line[key], LINE_AMOUNTS.has(key)),
    );
    if (fields.length > 0 || old.line_number !== line.line_number) written.push({ line, edits: { fields } });
  });
  return written.length === 0 && after.length === before.length ? null : written;
}

/** Amounts are equal by value ("23.00" is "23"); anything else (an IČO "0012…" too) by its text. */
function sameValue(a: unknown, b: unknown, amount: boolean): boolean {
  if (amount && typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [parseDecimal(a), parseDecimal(b)];
    if (x && y) return equals(x, y);
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function outcomeSentence(invoiceId: string, by: string, status: InvoiceStatus, result: ValidationResult): string {
  switch (status) {
    case 'needs_review':
      return `Invoice ${invoiceId} corrected by ${by}; it still needs review: ${reviewReason(result.problems)}.`;
    case 'approved':
      return `Invoice ${invoiceId} corrected by ${by}; it is valid and the approval rules approved it.`;
    default:
      return `Invoice ${invoiceId} corrected by ${by}; it is valid and awaits approval.`;
  }
}
