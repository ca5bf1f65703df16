import type pg from 'pg';
import { fromCallback, fromPromise } from 'xstate';
import { releaseLeases, renewLeases } from '../db/invoiceStore.ts';
import type { Logger } from '../runtime/logger.ts';

/**
 * The lease actors of a claim-and-run machine (machines/claimAndRun.ts, run as `invoices` and as
 * `nexWriter`): renew the leases of the invoices being worked on every third of the lease, and
 * give them all back on a graceful stop so a restart (or another daemon) resumes them at once.
 */
export function leaseKeeping(deps: { pool: () => pg.Pool; owner: string; leaseMs: number; log: Logger; what: string }) {
  return {
    keepLeases: fromCallback<{ type: string }, { running: () => string[] }>(({ input }) => {
      const timer = setInterval(() => {
        // deps.pool() throws while the database is down: inside .then, so that is a rejection, not an uncaught exception.
        void Promise.resolve()
          .then(() => renewLeases(deps.pool(), deps.owner, input.running(), deps.leaseMs))
          .catch((error: Error) => deps.log.warn({ err: error.message }, `could not renew ${deps.what} leases`));
      }, deps.leaseMs / 3);
      return () => clearInterval(timer);
    }),
    releaseAll: fromPromise<void, { ids: string[] }>(async ({ input }) => {
      await releaseLeases(deps.pool(), deps.owner, input.ids);
    }),
  };
}
