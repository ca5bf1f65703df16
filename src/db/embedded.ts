import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/schema.ts';
import { LoaderError, errorMessage } from '../errors.ts';
import { freePort } from '../runtime/freePort.ts';
import { embeddedBinaries, serverAccount, type EmbeddedBinaries } from './embeddedBinaries.ts';
import { withFolderLock } from './folderLock.ts';
import { EMBEDDED_MAJOR, assertClusterMajor } from './embeddedMajor.ts';
import {
  candidatePasswords,
  connectWithAny,
  generatePassword,
  LEGACY_PASSWORD,
  passwordFileFor,
  settlePassword,
  writeSecretFile,
} from './embeddedPassword.ts';
import { isAlive, makeTraversable, runningPostmaster, stopPostmaster } from './postmaster.ts';

/**
 * The embedded PostgreSQL of the default setup, in `database.embedded.dir`.
 *
 * Exactly one process owns the server. A second process on the same folder (the CLI while
 * the daemon runs) attaches to the running server instead of starting another. A server
 * left running by a process that died (SIGKILL) is adopted: used, and stopped at the end.
 * The server runs in its own process group, so a Ctrl+C in the terminal reaches only the
 * daemon, which closes its pool and then stops the server.
 */
export interface EmbeddedServer {
  url: string;
  port: number;
  /** started: by this process; attached: owned by another live process; adopted: orphan taken over. */
  mode: 'started' | 'attached' | 'adopted';
  /** False once the postmaster has gone (killed, crashed): the owner starts it again. */
  alive(): boolean;
  stop(): Promise<void>;
}

type Settings = Config['database']['embedded'];
type Log = (message: string) => void;
/** What the running server writes (one line each), for the daemon's log. */
type ServerLog = (line: string) => void;

export async function startEmbeddedPostgres(
  settings: Settings,
  log: Log = () => {},
  serverLog: ServerLog = () => {},
): Promise<EmbeddedServer> {
  const dir = resolve(settings.dir);
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  // Two processes starting on the same folder at once: the second waits, then attaches.
  return withFolderLock(`${dir}.lock`, () => startOrAttach(dir, settings, log, serverLog));
}

async function startOrAttach(dir: string, settings: Settings, log: Log, serverLog: ServerLog): Promise<EmbeddedServer> {
  const ownerFile = join(dirname(dir), `${basename(dir)}.owner.json`);
  // Also before adopting or attaching: a server left by an older version may still run on the folder.
  if (existsSync(join(dir, 'PG_VERSION'))) assertClusterMajor(dir);
  const running = runningPostmaster(dir);
  if (running) {
    const owner = readOwner(ownerFile);
    if (owner && owner !== process.pid && isAlive(owner)) {
      const password = (await openAdmin(settings, dir, running.port, false)).password;
      return {
        url: urlFor(settings, password, running.port, settings.database),
        port: running.port,
        mode: 'attached',
        alive: () => isAlive(running.pid),
        stop: async () => {},
      };
    }
    log(`adopting the embedded PostgreSQL (pid ${running.pid}) left running by a process that ended`);
    writeOwner(ownerFile);
    const password = (await openAdmin(settings, dir, running.port, true)).password;
    const release = stopOnExit(running.pid);
    return {
      url: urlFor(settings, password, running.port, settings.database),
      port: running.port,
      mode: 'adopted',
      alive: () => isAlive(running.pid),
      stop: async () => {
        release();
        await stopPostmaster(running.pid);
        rmSync(ownerFile, { force: true });
      },
    };
  }

  const port = settings.port || (await freePort());
  const output: string[] = [];
  let server: ChildProcess | undefined;
  try {
    const binaries = await embeddedBinaries();
    const account = await serverAccount();
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      log(`creating the embedded PostgreSQL ${EMBEDDED_MAJOR} cluster in ${dir}`);
      await initialise(binaries, account, dir, settings, output);
    }
    server = await spawnServer(binaries, account, dir, port, output, serverLog);
  } catch (error) {
    if (error instanceof LoaderError) throw error;
    throw new LoaderError(
      'EMBEDDED_DB_START_FAILED',
      `The embedded PostgreSQL in ${dir} did not start on port ${port}: ${errorMessage(error ?? 'the server exited')}. ` +
        `Its last output: ${output.join(' ').replace(/\s+/g, ' ').slice(-600)}`,
      { cause: error },
    );
  }
  writeOwner(ownerFile);
  const pid = server.pid!;
  const release = stopOnExit(pid);
  const password = (await openAdmin(settings, dir, port, true)).password;
  return {
    url: urlFor(settings, password, port, settings.database),
    port,
    mode: 'started',
    alive: () => server.exitCode === null && server.signalCode === null && isAlive(pid),
    stop: async () => {
      release();
      await stopPostmaster(pid);
      rmSync(ownerFile, { force: true });
    },
  };
}

/** initdb with a generated password (or the configured one), scram-sha-256, UTF8. */
async function initialise(
  binaries: EmbeddedBinaries,
  account: { uid?: number; gid?: number },
  dir: string,
  settings: Settings,
  output: string[],
): Promise<void> {
  const passwordFile = passwordFileFor(dir);
  // A password file left by an earlier attempt that crashed before initdb finished is used again.
  const password =
    settings.password ||
    candidatePasswords(passwordFile).find((candidate) => candidate !== LEGACY_PASSWORD) ||
    generatePassword();
  if (!settings.password) writeSecretFile(passwordFile, password);
  if (account.uid !== undefined) {
    makeTraversable(dirname(dir));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, account.uid, account.gid!);
  }
  // initdb reads the password from a file: a private folder only the server's account can read.
  const scratch = mkdtempSync(join(tmpdir(), 'invoice-loader-initdb-'));
  const pwfile = join(scratch, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (account.uid !== undefined) {
    chownSync(scratch, account.uid, account.gid!);
    chownSync(pwfile, account.uid, account.gid!);
  }
  try {
    await runToEnd(
      binaries.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        `--username=${settings.user}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--lc-messages=C',
      ],
      account,
      output,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runToEnd(
  file: string,
  args: string[],
  account: { uid?: number; gid?: number },
  output: string[],
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, windowsHide: true });
    collect(child, output);
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${basename(file)} failed (${code ?? signal})`)),
    );
  });
}

/**
 * The postmaster, detached into its own process group: a terminal's Ctrl+C (SIGINT to the
 * whole foreground group) reaches the daemon only, which stops the server after its pool.
 * Resolves once postmaster.pid says "ready".
 */
async function spawnServer(
  binaries: EmbeddedBinaries,
  account: { uid?: number; gid?: number },
  dir: string,
  port: number,
  output: string[],
  serverLog: ServerLog,
): Promise<ChildProcess> {
  const child = spawn(
    binaries.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    {
      ...account,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
      windowsHide: true,
    },
  );
  collect(child, output, serverLog);
  child.unref();
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${code ?? signal})`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + 120_000;
  while (runningPostmaster(dir)?.pid !== child.pid || runningPostmaster(dir)?.status !== 'ready') {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('postgres was not ready after 120 s');
    }
    await Promise.race([failed, new Promise((r) => setTimeout(r, 100))]);
  }
  return child;
}

/** Keeps the last lines a program wrote, for the error message when it fails; never blocks its pipes. */
function collect(child: ChildProcess, output: string[], lines?: ServerLog): void {
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (output.length > 40) output.shift();
    for (const line of text.split('\n')) if (line.trim()) lines?.(line.trim());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // The pipes outlive a daemon that is killed: ignore their errors instead of crashing on them.
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);
}

function urlFor(settings: Settings, password: string, port: number, database: string): string {
  return `postgres://${encodeURIComponent(settings.user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Opens the server as its superuser, moves it to its own generated password when `owner`
 * (see embeddedPassword.ts), creates the database if it is missing, and says which password
 * works from now on.
 */
async function openAdmin(settings: Settings, dir: string, port: number, owner: boolean): Promise<{ password: string }> {
  const file = passwordFileFor(dir);
  const candidates = settings.password ? [settings.password] : candidatePasswords(file);
  const { client, password } = await connectWithAny(
    (candidate) =>
      new pg.Client({
        connectionString: urlFor(settings, candidate, port, 'postgres'),
        connectionTimeoutMillis: 10_000,
      }),
    candidates,
  );
  try {
    const settled =
      owner && !settings.password ? await settlePassword(client, settings.user, password, file) : password;
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [settings.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(settings.database)}`);
    return { password: settled };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** If this process ends without stopping the server (process.exit after a fatal error), stop it anyway. */
function stopOnExit(pid: number): () => void {
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
