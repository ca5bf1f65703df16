import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ExecutionContext } from 'ava';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';

/**
 * A fresh PostgreSQL database for one test file. The server is, in order:
 * TEST_DATABASE_URL (an admin URL), the local server on 127.0.0.1:5432, or an embedded one
 * this test process starts in a temp folder (and stops when the process ends).
 */
let server: Promise<string> | undefined;
let embedded: EmbeddedServer | undefined;

/**
 * true: the server answers; false: nothing listens there. Any other failure (too many clients,
 * authentication) is an error: falling back to an embedded server would hide it, and start
 * one server per test process on a machine that is already short of connections.
 */
async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || /timeout/i.test((error as Error).message)) return false;
    throw new Error(`The local PostgreSQL at ${url} refused the test: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function adminUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await canConnect(local)) return local;
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-test-pg-'));
  embedded = await startEmbeddedPostgres({
    dir: join(dir, 'postgres'),
    port: 0,
    user: 'postgres',
    password: 'test',
    database: 'postgres',
  });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return embedded.url;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A new, empty database on the test server; `drop()` removes it (whoever is connected). */
export async function createScratchDatabase(prefix = 'test'): Promise<{ url: string; drop: () => Promise<void> }> {
  server ??= adminUrl();
  const admin = await server;
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

export async function createTestDatabase(t: ExecutionContext): Promise<string> {
  const scratch = await createScratchDatabase();
  t.teardown(scratch.drop);
  return scratch.url;
}
