import type { ExecutionContext } from 'ava';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase } from './database.ts';

/** A fresh, migrated database: its URL and a pool on it, closed when the test ends. */
export async function migratedDatabase(
  t: ExecutionContext,
  options: { max?: number } = {},
): Promise<{ url: string; pool: pg.Pool }> {
  const url = await createTestDatabase(t);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 8 });
  // Dropping the database at the end ends idle connections; that is expected, not an error.
  pool.on('error', () => {});
  t.teardown(() => pool.end());
  const client = await pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
  return { url, pool };
}

export async function migratedPool(t: ExecutionContext): Promise<pg.Pool> {
  return (await migratedDatabase(t)).pool;
}
