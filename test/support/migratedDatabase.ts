import type { ExecutionContext } from 'ava';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase } from './database.ts';

/** A fresh, migrated database and a pool on it, closed when the test ends. */
export async function migratedPool(t: ExecutionContext): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: await createTestDatabase(t), max: 8 });
  // Dropping the database at the end ends idle connections; that is expected, not an error.
  pool.on('error', () => {});
  t.teardown(() => pool.end());
  const client = await pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
  return pool;
}
