import type pg from 'pg';

/**
 * Two gaps of pg-pool that a terminated backend or a stopping server falls into:
 *
 * - A client handed to a waiting `connect()` has no 'error' listener until its new owner's
 *   code runs, while a FATAL that arrives in the same socket chunk as the answer that freed it
 *   is emitted at once: an uncaught exception that ended the daemon under
 *   `pg_terminate_backend`. Every client therefore keeps one listener for its whole life; the
 *   pool still removes a client that errored (it is no longer queryable) when it is released.
 * - `end()` resolves once it has asked its clients to close, not once they have: a server
 *   stopped right after still sees their sessions and cuts them ("terminating connection due
 *   to administrator command"). Counting clients from 'connect' to 'remove' (emitted when a
 *   socket has closed) lets shutdown wait for the real end, bounded so a hung socket cannot
 *   hold it.
 */
export function guardPool(
  pool: pg.Pool,
  onClientError: (error: Error) => void,
): { end(timeoutMs: number): Promise<void> } {
  const open = new Set<pg.PoolClient>();
  let allClosed: (() => void) | undefined;
  pool.on('connect', (client) => {
    open.add(client);
    client.on('error', onClientError);
  });
  pool.on('remove', (client) => {
    open.delete(client);
    if (open.size === 0) allClosed?.();
  });
  return {
    async end(timeoutMs) {
      await pool.end();
      if (open.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        allClosed = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    },
  };
}
