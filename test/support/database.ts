import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ExecutionContext } from 'ava';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';

/**
 * A fresh PostgreSQL database for one test file. The server is, in order:
 * TEST_DATABASE_URL (an admin URL), the local server on 127.0.0.1:5432 when anything listens
 * there, or an embedded one this test process starts in a temp folder and stops when its
 * tests are done.
 *
 * "Is a server there" is a TCP probe, not a login: under load a login can take longer than
 * any timeout, and reading that as "no server" started an embedded server per test file next
 * to the real one (and none of them was ever stopped).
 */
const LOCAL_HOST = '127.0.0.1';
const LOCAL_PORT = 5432;
const LOCAL_URL = `postgres://postgres@${LOCAL_HOST}:${LOCAL_PORT}/postgres`;
/** How long a busy server gets to accept a login before the test fails (a 2-core machine under a full test run). */
const CONNECT_PATIENCE_MS = 90_000;

let server: Promise<string> | undefined;

/** true when something accepts TCP connections on host:port (refused or unreachable: false). */
export function listens(host: string, port: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The codes worth waiting out on a server that listens: it is starting, busy or full for a moment. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P03', '53300', '53400']);

function transient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (code !== undefined && TRANSIENT.has(code)) || /timeout|terminated unexpectedly/i.test(String(error));
}

/** A connected client; retries a server that is slow or momentarily full until `CONNECT_PATIENCE_MS`. */
export async function connectPatiently(url: string): Promise<pg.Client> {
  const deadline = Date.now() + CONNECT_PATIENCE_MS;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (!transient(error) || Date.now() > deadline) {
        throw new Error(
          `The test PostgreSQL at ${new URL(url).host} did not accept a login (attempt ${attempt}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2_000)));
    }
  }
}

async function adminUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  if (await listens(LOCAL_HOST, LOCAL_PORT)) return LOCAL_URL;
  return startTestServer();
}

/**
 * An embedded server for this test process. The worker stays alive as long as the server
 * runs (its output pipes), so it is stopped when AVA says the file's tests are done — also
 * after failures — and, as a last resort, when the process exits or is terminated.
 */
async function startTestServer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-test-pg-'));
  const dataDir = join(dir, 'postgres');
  let embedded: EmbeddedServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await embedded?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const killNow = () => {
    const pid = postmasterPid(dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown: nothing can be awaited here
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);
  process.once('SIGTERM', () => {
    killNow();
    process.kill(process.pid, 'SIGTERM');
  });
  await whenTestsAreDone(stop);
  try {
    embedded = await startEmbeddedPostgres({
      dir: dataDir,
      port: 0,
      user: 'postgres',
      password: 'test',
      database: 'postgres',
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return embedded.url;
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `stop` when AVA has finished this file's tests; outside AVA (the benches) the caller stops its server. */
async function whenTestsAreDone(stop: () => Promise<void>): Promise<void> {
  try {
    const { registerCompletionHandler } = await import('ava');
    registerCompletionHandler(() => void stop());
  } catch {
    // not in an AVA worker: the exit handlers above are the only cleanup
  }
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
  const client = await connectPatiently(admin);
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const dropper = await connectPatiently(admin);
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export async function createTestDatabase(t: ExecutionContext): Promise<string> {
  const scratch = await createScratchDatabase();
  t.teardown(scratch.drop);
  return scratch.url;
}
