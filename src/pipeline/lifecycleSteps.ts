import type pg from 'pg';
import { fromPromise } from 'xstate';
import {
  findOriginalByNumber,
  inTransaction,
  loadDocument,
  loadExtracted,
  saveExtraction,
  transition,
} from '../db/invoiceStore.ts';
import type { ExtractionOutcome } from '../extract/extractDocument.ts';
import { emptyInvoice, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import type { ValidationResult } from '../validate/validateInvoice.ts';

export interface LifecycleDeps {
  pool: () => pg.Pool;
  extract: (bytes: Buffer, mediaType: string) => Promise<ExtractionOutcome>;
  validate: (invoice: NormalizedInvoice) => ValidationResult;
  /** Who the events name as actor: `pipeline@<instance>`. */
  actor: string;
}

type Input = { input: { invoiceId: string } };

/**
 * The steps of machines/invoice.ts. Each runs its work, then commits its transition with the
 * event atomically (one statement, or one transaction with what extraction stored); run again after a crash, it finds the same inputs and does the
 * same thing (the stored status guards against doing it twice).
 */
export function lifecycleSteps(deps: LifecycleDeps) {
  return {
    startExtraction: fromPromise<void, { invoiceId: string }>(async ({ input }: Input) =>
      transition(deps.pool(), input.invoiceId, 'received', 'extracting', 'extraction started', deps.actor),
    ),

    extract: fromPromise<'extracted' | 'unreadable' | 'duplicate', { invoiceId: string }>(async ({ input }: Input) => {
      const id = input.invoiceId;
      const document = await loadDocument(deps.pool(), id);
      const outcome = await deps.extract(document.bytes, document.mediaType);
      return inTransaction(deps.pool(), async (client) => {
        if (outcome.kind === 'unreadable') {
          await transition(client, id, 'extracting', 'unreadable', outcome.reason, deps.actor);
          return 'unreadable';
        }
        const invoice = outcome.invoice;
        const ico = invoice.supplier.ico;
        const number = invoice.invoice_number;
        const original = ico && number ? await findOriginalByNumber(client, id, ico, number) : undefined;
        if (original) {
          // Status first: the unique (supplier, number) index does not cover duplicates.
          await transition(
            client,
            id,
            'extracting',
            'duplicate',
            `supplier ${ico} already sent invoice ${number} as invoice ${original}`,
            deps.actor,
            {
              duplicateOf: original,
              details: { duplicate_of: original, by: 'supplier_number' },
            },
          );
          await saveExtraction(client, id, invoice);
          return 'duplicate';
        }
        await saveExtraction(client, id, invoice);
        const found = [invoice.invoice_number && `invoice ${invoice.invoice_number}`, `${invoice.lines.length} lines`]
          .filter(Boolean)
          .join(', ');
        await transition(
          client,
          id,
          'extracting',
          'extracted',
          `extracted (${invoice.source.format}): ${found}`,
          deps.actor,
          {
            details: { format: invoice.source.format, template: invoice.source.template, notes: invoice.notes },
          },
        );
        return 'extracted';
      });
    }),

    startValidation: fromPromise<void, { invoiceId: string }>(async ({ input }: Input) =>
      transition(deps.pool(), input.invoiceId, 'extracted', 'validating', 'validation started', deps.actor),
    ),

    validate: fromPromise<'validated' | 'needs_review', { invoiceId: string }>(async ({ input }: Input) => {
      const id = input.invoiceId;
      const invoice = (await loadExtracted(deps.pool(), id)) ?? emptyInvoice();
      const result = deps.validate(invoice);
      const errors = result.problems.filter((p) => p.severity === 'error');
      const to = result.valid ? 'validated' : 'needs_review';
      const reason = result.valid
        ? `valid${result.problems.length ? ` with ${result.problems.length} warning(s)` : ''}`
        : [...invoice.notes, ...errors.map((p) => p.message)].slice(0, 4).join('; ') +
          (errors.length > 3 ? `; … ${errors.length} problems in all` : '');
      await transition(deps.pool(), id, 'validating', to, reason, deps.actor, {
        details: { problems: result.problems },
        patch: { validation_status: result.valid ? 'valid' : 'invalid', validation_problems: result.problems },
      });
      return to;
    }),
  };
}
