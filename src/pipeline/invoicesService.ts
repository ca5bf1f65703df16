import type pg from 'pg';
import { LIFECYCLE_OUTCOMES } from '../../machines/invoice.ts';
import { fromPromise } from 'xstate';
import type { Config } from '../config/schema.ts';
import { claimActive, recordFailure, releaseLease } from '../db/invoiceStore.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Throughput } from '../runtime/throughput.ts';
import { leaseKeeping } from './leaseKeeping.ts';
import { lostConnection, permanentFailure } from './permanentFailures.ts';
import type { ChildFailed, ChildFinished } from '../../machines/claimAndRun.ts';

/** The I/O behind the `invoices` actor (machines/claimAndRun.ts): leases in the database, outcomes to logs and counters. */
export function createInvoicesService(deps: {
  pool: () => pg.Pool;
  owner: string;
  settings: Config['pipeline'];
  logger: Logger;
  throughput: Throughput;
  actor: string;
}) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'invoices' });
  const backoffMs = (attempts: number) => Math.min(settings.retryMaxMs, settings.retryMinMs * 2 ** (attempts - 1));
  return {
    actors: {
      claim: fromPromise<Array<{ id: string; status: InvoiceStatus }>, { limit: number }>(async ({ input }) => {
        // The claim also starts the extraction of new invoices (received → extracting, committed with it).
        const claimed = await claimActive(deps.pool(), deps.owner, input.limit, settings.leaseMs, {
          actor: deps.actor,
        });
        const resumed = claimed.filter((invoice) => invoice.previous !== 'received');
        if (resumed.length) {
          log.info(
            { resumed: resumed.length, statuses: resumed.map((i) => i.status) },
            `resuming ${resumed.length} invoice(s) left unfinished`,
          );
        }
        return claimed;
      }),
      ...leaseKeeping({ pool: deps.pool, owner: deps.owner, leaseMs: settings.leaseMs, log, what: 'invoice' }),
    },
    actions: {
      finished: (_args: unknown, { invoiceId, status }: ChildFinished) => {
        if (status === 'unreadable') deps.throughput.failed();
        else deps.throughput.processed();
        log.info({ invoice: invoiceId, status }, `invoice ${status.replace('_', ' ')}`);
        // The final transition gave the lease back with it; only a lifecycle that ended otherwise still holds it.
        if (!LIFECYCLE_OUTCOMES.includes(status))
          void Promise.resolve()
            .then(() => releaseLease(deps.pool(), deps.owner, invoiceId))
            .catch(() => undefined);
      },
      failed: (_args: unknown, { invoiceId, error, code, cause }: ChildFailed) => {
        // A failure that will recur on every attempt quarantines the invoice now, not after maxAttempts.
        const permanent = permanentFailure(code, error);
        // deps.pool() throws while the database is down: a rejection here, not a crash of this actor.
        void Promise.resolve()
          .then(() =>
            recordFailure(deps.pool(), invoiceId, permanent ? `${error} (${permanent}; retrying cannot help)` : error, {
              // A lost connection is retried with backoff but never quarantines: the outage is not the invoice's fault.
              maxAttempts: permanent ? 1 : lostConnection(code, error) ? Number.MAX_SAFE_INTEGER : settings.maxAttempts,
              backoffMs,
              actor: deps.actor,
            }),
          )
          .then(({ attempts, quarantined }) => {
            if (quarantined) deps.throughput.failed();
            log[quarantined ? 'error' : 'warn'](
              {
                invoice: invoiceId,
                attempts,
                err: cause ?? error,
                code: quarantined ? 'INVOICE_QUARANTINED' : 'INVOICE_STEP_FAILED',
              },
              quarantined
                ? `invoice ${invoiceId} quarantined after ${attempts} failed attempts: ${error}`
                : `processing invoice ${invoiceId} failed (attempt ${attempts}), will retry: ${error}`,
            );
          })
          .catch((recordError: Error) =>
            log.error(
              { invoice: invoiceId, err: cause ?? error, record_error: recordError.message },
              'processing an invoice failed and the failure could not be recorded; its lease will expire and it will be retried',
            ),
          );
      },
      claimFailed: (_args: unknown, { error }: { error: unknown }) =>
        log.warn({ err: error }, 'could not claim invoices; will try again'),
    },
  };
}
