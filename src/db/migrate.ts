import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/** The migrations this version ships, oldest first (what a migrated database's pgmigrations lists). */
export const shippedMigrations = (): string[] =>
  readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.replace(/\.sql$/, ''))
    .sort();

/**
 * Applies pending migrations in one transaction. Several daemons may share a database:
 * the advisory lock makes a second one wait instead of failing.
 */
export async function migrate(client: pg.ClientBase, log: (message: string) => void = () => {}): Promise<string[]> {
  // Loaded here, not at the top: a CLI command on an up-to-date database never needs it (see pendingMigrations).
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    dbClient: client,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log,
  });
  return applied.map((migration) => migration.name);
}

/**
 * The shipped migrations this database lacks, by one query: lets a short command skip the
 * migration runner (its locking and its own module loading) when there is nothing to do.
 */
export async function pendingMigrations(client: pg.ClientBase): Promise<string[]> {
  const shipped = shippedMigrations();
  const table = await client.query<{ found: string | null }>("SELECT to_regclass('pgmigrations')::text AS found");
  if (!table.rows[0]?.found) return shipped;
  const done = new Set((await client.query<{ name: string }>('SELECT name FROM pgmigrations')).rows.map((r) => r.name));
  return shipped.filter((name) => !done.has(name));
}
