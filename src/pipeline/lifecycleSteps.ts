import type pg from 'pg';
import { fromPromise } from 'xstate';
import type { ExtractOutput, ValidateInput, ValidateOutcome } from '../../machines/invoice.ts';
import type { ApprovalGate } from '../approval/afterValidation.ts';
import {
  commitExtraction,
  findOriginalByNumber,
  inTransaction,
  loadDocument,
  loadExtracted,
  transition,
} from '../db/invoiceStore.ts';
import type { ExtractionOutcome } from '../extract/extractDocument.ts';
import { emptyInvoice, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { InvoiceOrigin } from '../invoice/origin.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { supplierKey } from '../invoice/supplierKey.ts';
import { loadOrigin, secondsSince, type InvoiceObserver } from './invoiceObserver.ts';
import { reviewReason } from '../validate/reviewReason.ts';
import type { ValidationResult } from '../validate/validateInvoice.ts';

export interface LifecycleDeps {
  pool: () => pg.Pool;
  extract: (bytes: Buffer, mediaType: string) => Promise<ExtractionOutcome>;
  validate: (invoice: NormalizedInvoice) => ValidationResult;
  /** Who the events name as actor: `pipeline@<instance>`. */
  actor: string;
  /** Matching and the approval rules for valid invoices (absent: valid invoices wait in `validated`). */
  approval?: ApprovalGate;
  /** An invoice was approved by the rules: the NEX writer can take it now. */
  approved?: () => void;
  /** Counts transitions and stage durations, logs what stops for a person (absent in tests that need neither). */
  observer?: InvoiceObserver;
}

type Input = { input: { invoiceId: string } };

/**
 * The steps of machines/invoice.ts. Each runs its work, then commits its transition with its
 * event(s) and what it stored in ONE statement (atomic without a transaction); run again after
 * a crash, it finds the same inputs and does the same thing (the stored status guards against
 * doing it twice). A step that ends the invoice's way through the pipeline gives its lease
 * back in that same statement.
 */
export function lifecycleSteps(deps: LifecycleDeps) {
  return {
    startExtraction: fromPromise<void, { invoiceId: string }>(async ({ input }: Input) =>
      transition(deps.pool(), {
        invoiceId: input.invoiceId,
        from: 'received',
        to: 'extracting',
        reason: 'extraction started',
        actor: deps.actor,
      }),
    ),

    extract: fromPromise<ExtractOutput, { invoiceId: string }>(async ({ input }: Input) => {
      const id = input.invoiceId;
      const started = performance.now();
      const document = await loadDocument(deps.pool(), id);
      const { origin } = document;
      const outcome = await deps.extract(document.bytes, document.mediaType);
      const done = (to: InvoiceStatus, reason: string) => {
        deps.observer?.stage('extraction', secondsSince(started), to);
        deps.observer?.transition(id, 'extracting', to, reason, origin);
      };
      if (outcome.kind === 'unreadable') {
        await transition(deps.pool(), {
          invoiceId: id,
          from: 'extracting',
          to: 'unreadable',
          reason: outcome.reason,
          actor: deps.actor,
          releaseLease: true,
        });
        done('unreadable', outcome.reason);
        return { outcome: 'unreadable' };
      }
      const invoice = outcome.invoice;
      const supplier = supplierKey(invoice.supplier);
      const number = invoice.invoice_number;
      // Outside the commit: two invoices with the same number committed at once still cannot both be
      // real (the unique index refuses the second; its retry then finds the first and makes it a duplicate).
      const original = supplier && number ? await findOriginalByNumber(deps.pool(), id, supplier, number) : undefined;
      if (original) {
        // What was extracted is kept on the duplicate too.
        const reason = `supplier ${supplier} already sent invoice ${number} as invoice ${original}`;
        await commitExtraction(deps.pool(), id, invoice, 'extracting', 'duplicate', reason, deps.actor, {
          duplicateOf: original,
          details: { duplicate_of: original, by: 'supplier_number' },
          releaseLease: true,
        });
        done('duplicate', reason);
        return { outcome: 'duplicate' };
      }
      const found = [invoice.invoice_number && `invoice ${invoice.invoice_number}`, `${invoice.lines.length} lines`]
        .filter(Boolean)
        .join(', ');
      const reason = `extracted (${invoice.source.format}): ${found}`;
      await commitExtraction(deps.pool(), id, invoice, 'extracting', 'extracted', reason, deps.actor, {
        details: { format: invoice.source.format, template: invoice.source.template, notes: invoice.notes },
      });
      done('extracted', reason);
      return { outcome: 'extracted', extracted: invoice, origin };
    }),

    /**
     * Validation: checks the extracted invoice and commits where it goes next. Validation runs
     * in memory, so its start (`validating`) and its outcome are one commit with two events.
     */
    validate: fromPromise<ValidateOutcome, ValidateInput>(async ({ input }: { input: ValidateInput }) => {
      const id = input.invoiceId;
      const started = performance.now();
      const invoice =
        (input.extracted as NormalizedInvoice | undefined) ?? (await loadExtracted(deps.pool(), id)) ?? emptyInvoice();
      const done = async (to: ValidateOutcome, reason: string, approvedBecause = reason) => {
        if (!deps.observer) return;
        deps.observer.stage('validation', secondsSince(started), to);
        // Resumed after a crash, the step has no origin at hand: one small query, off the usual path.
        const origin = (input.origin as InvoiceOrigin | undefined) ?? (await loadOrigin(deps.pool(), id));
        if (input.from !== 'validating')
          deps.observer.transition(id, input.from, 'validating', 'validation started', origin);
        // Approved by the rules is two transitions: validating → validated → approved.
        deps.observer.transition(id, 'validating', to === 'approved' ? 'validated' : to, reason, origin);
        if (to === 'approved') deps.observer.transition(id, 'validated', 'approved', approvedBecause, origin);
      };
      const result = deps.validate(invoice);
      const to = result.valid ? 'validated' : 'needs_review';
      const reason = result.valid
        ? `valid${result.problems.length ? ` with ${result.problems.length} warning(s)` : ''}`
        : reviewReason(result.problems);
      const extra = {
        via: input.from === 'validating' ? undefined : { status: 'validating' as const, reason: 'validation started' },
        details: { problems: result.problems },
        patch: {
          validation_status: result.valid ? ('valid' as const) : ('invalid' as const),
          validation_problems: result.problems,
        },
      };
      const gate = result.valid ? deps.approval : undefined;
      if (!gate) {
        await transition(deps.pool(), {
          invoiceId: id,
          from: input.from,
          to,
          reason,
          actor: deps.actor,
          ...extra,
          releaseLease: true,
        });
        await done(to, reason);
        return to;
      }
      // Matching asks the gateway, so it runs before the transaction that records it.
      const decision = await gate.decide(deps.pool(), invoice);
      const waiting = decision.approve ? reason : `${reason}; ${decision.reason}`;
      const validated = (client: pg.Pool | pg.PoolClient) =>
        transition(client, {
          invoiceId: id,
          from: input.from,
          to: 'validated',
          reason: waiting,
          actor: deps.actor,
          ...extra,
          patch: { ...extra.patch, matching_status: decision.matchingStatus },
          releaseLease: !decision.approve,
        });
      // One statement when there is nothing else to record (the usual invoice waiting for a person in outbox mode).
      if (!gate.recordsMore(decision)) await validated(deps.pool());
      else
        await inTransaction(deps.pool(), async (client) => {
          await validated(client);
          await gate.record(client, id, decision);
        });
      if (!decision.approve) {
        await done('validated', waiting);
        return 'validated';
      }
      await done('approved', waiting, decision.reason);
      deps.approved?.();
      return 'approved';
    }),
  };
}
