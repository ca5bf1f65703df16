import { statfsSync } from 'node:fs';
import { LoaderError } from '../errors.ts';
import { formatBytes } from './runBackup.ts';

/**
 * A backup that failed because its disk is full says so in words an operator acts on, instead
 * of pg_dump's "could not write to output file". The cause is found wherever it surfaced: an
 * fs call of ours (ENOSPC, EDQUOT), or pg_dump's stderr carried in our error's message.
 */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
const FULL_TEXT = /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/i;

export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    if (FULL_TEXT.test(e instanceof Error ? e.message : String(e))) return true;
  }
  return false;
}

function freeSpace(dir: string): string {
  try {
    const { bavail, bsize } = statfsSync(dir);
    return formatBytes(bavail * bsize);
  } catch {
    return '?';
  }
}

/** BACKUP_DISK_FULL: Slovak first, then English, with the folder and what is free now. */
export function diskFullError(dir: string, cause: unknown): LoaderError {
  const free = freeSpace(dir);
  return new LoaderError(
    'BACKUP_DISK_FULL',
    `Na disku pre zálohy nie je miesto (${dir}, voľné ${free}): záloha sa nezapísala, ostatné beží ďalej. ` +
      `Uvoľnite miesto alebo znížte backup.retention; ďalšia záloha prebehne podľa plánu. ` +
      `/ The backup disk is full (${dir}, ${free} free): no backup was written, everything else runs on. ` +
      `Free some space or lower backup.retention; the next backup runs as scheduled.`,
    { cause, details: { dir, free } },
  );
}
