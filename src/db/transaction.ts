import type pg from 'pg';

/**
 * A pool client checked out for `work` and given back, broken or not, whatever happens.
 *
 * pg emits 'error' on a checked-out client when its connection ends (a terminated backend,
 * a restarted server), even while a query is running, and pg-pool listens only while the
 * client is idle: without a listener of our own that event is an uncaught exception that
 * ends the daemon. The failing query still rejects, so `work` fails like any transient
 * failure and its caller retries. A client that saw such an error is released with it
 * (`release(err)`), so the pool destroys it instead of handing it out again.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, markBroken: (error: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const markBroken = (error: Error) => {
    broken ??= error;
  };
  client.on('error', markBroken);
  try {
    return await work(client, markBroken);
  } finally {
    client.removeListener('error', markBroken);
    client.release(broken);
  }
}

/** `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, markBroken) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A client that cannot even roll back is in an unknown state: it must not serve anyone else.
      await client.query('ROLLBACK').catch((rollbackError: Error) => markBroken(rollbackError));
      throw error;
    }
  });
}
