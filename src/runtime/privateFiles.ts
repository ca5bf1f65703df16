import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Logs, backups, the outbox, config backups and the data folder hold invoice contents or
 * secrets: only the daemon's user may read them. Files are created 0600 and folders 0700
 * whatever the umask. Windows ignores modes; there the installer sets the folders' ACLs
 * (docs/security.md).
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Creates `dir` and any missing parents owner-only. A folder that already exists keeps its mode:
 * it may be a shared one an administrator chose (a mounted backup disk, /var/log).
 */
export function makePrivateFolder(dir: string): void {
  const target = resolve(dir);
  const firstCreated = mkdirSync(target, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (firstCreated === undefined || process.platform === 'win32') return;
  // mkdir's mode passes through the umask; chmod does not.
  for (let folder = target; ; folder = dirname(folder)) {
    chmodSync(folder, PRIVATE_FOLDER_MODE);
    if (folder === resolve(firstCreated) || folder === dirname(folder)) break;
  }
}

/** Makes an existing file owner-only (files a child process created, like pg_dump's). */
export function makePrivateFile(path: string): void {
  if (process.platform !== 'win32') chmodSync(path, PRIVATE_FILE_MODE);
}
