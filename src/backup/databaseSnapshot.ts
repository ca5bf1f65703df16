import type pg from 'pg';
import { openClient } from './pgClient.ts';
import { countRows, type RowCounts } from './rowCounts.ts';

/**
 * One moment of the database, held open so that pg_dump (`--snapshot`) dumps exactly what
 * the row counts describe: a daemon writing invoices during the backup cannot make the
 * manifest disagree with the dump. The snapshot lives as long as this transaction.
 */
export interface DatabaseSnapshot {
  id: string;
  serverVersion: string;
  serverMajor: number;
  countRows(): Promise<RowCounts>;
  close(): Promise<void>;
}

export async function openSnapshot(url: string): Promise<DatabaseSnapshot> {
  const client: pg.Client = await openClient(url);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ id: string; version: string; num: string }>(
      `SELECT pg_export_snapshot() AS id, current_setting('server_version') AS version,
              current_setting('server_version_num') AS num`,
    );
    const row = rows[0]!;
    return {
      id: row.id,
      serverVersion: row.version,
      serverMajor: Math.floor(Number(row.num) / 10_000),
      countRows: () => countRows(client),
      close: async () => {
        await client.query('COMMIT').catch(() => undefined);
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
