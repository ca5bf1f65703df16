import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { isAlive } from './postmaster.ts';

/**
 * Runs `work` while holding `lockFile` (created exclusively, holding our pid). A lock whose
 * holder died is taken over; a live holder is waited for (up to `timeoutMs`).
 */
export async function withFolderLock<T>(lockFile: string, work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(lockFile));
      if (!holder || !isAlive(holder)) {
        // Not yet written (a holder between open and write) is given a moment before it counts as stale.
        if (holder || Date.now() - startedWaiting(lockFile) > 2_000) rmSync(lockFile, { force: true });
      } else if (Date.now() > deadline) {
        throw new Error(`${lockFile} is held by process ${holder}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

const firstSeen = new Map<string, number>();
function startedWaiting(file: string): number {
  if (!firstSeen.has(file)) firstSeen.set(file, Date.now());
  return firstSeen.get(file)!;
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
