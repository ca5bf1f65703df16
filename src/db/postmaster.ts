import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** What postmaster.pid says while a server runs: pid (line 1), port (line 4), status (line 8). */
export function runningPostmaster(dir: string): { pid: number; port: number; status: string } | undefined {
  try {
    const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return pid > 0 && port > 0 && isAlive(pid) ? { pid, port, status: (lines[7] ?? '').trim() } : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * "Fast shutdown": ends sessions, writes a checkpoint. POSIX: SIGINT to the postmaster.
 * Windows has no signals: pg_ctl asks the server through its own channel.
 */
export async function stopPostmaster(pid: number, dir?: string, pgCtl?: string): Promise<void> {
  try {
    if (process.platform === 'win32' && dir && pgCtl) {
      await promisify(execFile)(pgCtl, ['stop', '-D', dir, '-m', 'fast', '-w'], { windowsHide: true });
    } else {
      process.kill(pid, 'SIGINT');
    }
  } catch {
    if (!isAlive(pid)) return;
  }
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
}

/** The `postgres` account must be able to reach the data folder through its parents. */
export function makeTraversable(dir: string): void {
  // Created owner-only (the data folder holds the token and the cluster); parents only gain o+x below.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let current = dir; current !== dirname(current); current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
  }
}
