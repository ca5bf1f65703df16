import pg from 'pg';
import { explainConnectionError } from '../db/target.ts';

/** A connection for backup work, or the operator-readable DB_UNAVAILABLE when there is none. */
export async function openClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'invoice-loader backup',
    connectionTimeoutMillis: 10_000,
  });
  // A server that goes away mid-job surfaces as the failing query's error; this only keeps it from being uncaught.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw explainConnectionError(error, url);
  }
  return client;
}
