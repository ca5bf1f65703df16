import pg from 'pg';
import { openClient } from './pgClient.ts';

/** Exact row count per table, keyed `schema.table`, in key order. */
export type RowCounts = Record<string, number>;

export interface TableComparison {
  table: string;
  /** From the manifest; null for a table the backup did not have. */
  expected: number | null;
  /** In the restored database; null for a table that is missing there. */
  restored: number | null;
}

/**
 * `count(*)` of every ordinary table outside the system schemas. Exact, not the planner's
 * estimate: the point is to prove that a restore brought back every row. Run it inside the
 * transaction whose snapshot is being described.
 */
export async function countRows(client: pg.ClientBase): Promise<RowCounts> {
  const tables = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1, 2`,
  );
  const counts: RowCounts = {};
  for (const { schema, name } of tables.rows) {
    const qualified = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
    const result = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${qualified}`);
    counts[`${schema}.${name}`] = Number(result.rows[0]!.count);
  }
  return counts;
}

/** Every table of either side, with both counts. */
export function compareRowCounts(
  expected: RowCounts,
  restored: RowCounts,
): { ok: boolean; tables: TableComparison[]; differences: string[] } {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(restored)])].sort();
  const tables = names.map((table) => ({
    table,
    expected: expected[table] ?? null,
    restored: restored[table] ?? null,
  }));
  const differences = tables
    .filter((entry) => entry.expected !== entry.restored)
    .map(
      (entry) => `${entry.table}: expected ${entry.expected ?? 'no table'}, restored ${entry.restored ?? 'no table'}`,
    );
  return { ok: differences.length === 0, tables, differences };
}

/** Row counts of the database at `url`, read in one snapshot. */
export async function countRowsAt(url: string): Promise<RowCounts> {
  const client = await openClient(url);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const counts = await countRows(client);
    await client.query('COMMIT');
    return counts;
  } finally {
    await client.end();
  }
}
