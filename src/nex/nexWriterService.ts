import type pg from 'pg';
import { fromPromise } from 'xstate';
import type { Config } from '../config/schema.ts';
import { releaseLease } from '../db/invoiceStore.ts';
import { claimForPosting, POSTING_OUTCOMES } from '../db/nexStore.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import type { InvoiceObserver } from '../pipeline/invoiceObserver.ts';
import { leaseKeeping } from '../pipeline/leaseKeeping.ts';
import type { Logger } from '../runtime/logger.ts';
import type { GatewayClient } from './gatewayClient.ts';
import { createPoster } from './poster.ts';
import type { ChildFailed, ChildFinished } from '../../machines/claimAndRun.ts';

/**
 * The I/O behind machines/nexWriter.ts: leases on approved invoices, one posting actor per
 * invoice (src/nex/poster.ts), outcomes to logs. While the gateway's breaker is open nothing
 * new is claimed: the gateway is resting and the invoices are safe where they are.
 */
export function createNexWriterService(deps: {
  pool: () => pg.Pool;
  owner: string;
  settings: Config['nex'];
  gateway: GatewayClient | undefined;
  logger: Logger;
  actor: string;
  observer?: InvoiceObserver;
}) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'nexWriter' });
  const poster = createPoster({
    pool: deps.pool,
    settings,
    gateway: deps.gateway,
    actor: deps.actor,
    logger: deps.logger,
    observer: deps.observer,
  });
  return {
    /** One posting; its output is what the writer machine's `finished` receives. */
    posting: fromPromise<{ invoiceId: string; status: InvoiceStatus }, { invoiceId: string }>(
      async ({ input, signal }) => ({
        invoiceId: input.invoiceId,
        status: await poster.post(input.invoiceId, signal),
      }),
    ),
    actors: {
      claim: fromPromise<Array<{ id: string; status: InvoiceStatus }>, { limit: number }>(async ({ input }) => {
        if (deps.gateway?.breakerState() === 'open') return [];
        return claimForPosting(deps.pool(), deps.owner, input.limit, settings.leaseMs);
      }),
      ...leaseKeeping({ pool: deps.pool, owner: deps.owner, leaseMs: settings.leaseMs, log, what: 'posting' }),
    },
    actions: {
      finished: (_args: unknown, { invoiceId, status }: ChildFinished) => {
        // A posting that ended gave its lease back with its last transition; only one that found
        // the invoice moved elsewhere (or was stopped) still holds it.
        if (POSTING_OUTCOMES.includes(status)) return;
        void Promise.resolve()
          .then(() => releaseLease(deps.pool(), deps.owner, invoiceId))
          .catch(() => undefined);
      },
      failed: (_args: unknown, { invoiceId, error, cause }: ChildFailed) => {
        // The lease is kept until it runs out: that is the pause before another try, which
        // then starts by asking NEX whether this attempt reached it.
        log.error(
          { invoice: invoiceId, err: cause ?? error, code: 'NEX_POSTING_FAILED' },
          `posting invoice ${invoiceId} failed and will be retried after its lease (${settings.leaseMs} ms) runs out: ${error}`,
        );
      },
      claimFailed: (_args: unknown, { error }: { error: unknown }) =>
        log.warn({ err: error }, 'could not claim invoices to post; will try again'),
    },
  };
}
