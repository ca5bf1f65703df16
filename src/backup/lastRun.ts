import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupOutcome } from '../../machines/backup.ts';

/**
 * The outcome of the last backup job, whoever ran it: the daemon's schedule or
 * `invoice-loader backup run` in another process. Kept in `backup.dir` so the daemon's health
 * shows a failed manual run as it shows a failed scheduled one.
 */
const FILE = 'last-backup.json';

export function recordBackupOutcome(dir: string, outcome: BackupOutcome): void {
  try {
    mkdirSync(dir, { recursive: true });
    // Beside it, then renamed: on a full disk the write fails and the previous record stays whole.
    const partial = join(dir, `.${FILE}.partial`);
    writeFileSync(partial, `${JSON.stringify(outcome)}\n`, { mode: 0o600 });
    renameSync(partial, join(dir, FILE));
  } catch {
    // The backup's own result is what the caller reports; this record is only for health.
    rmSync(join(dir, `.${FILE}.partial`), { force: true, maxRetries: 0 });
  }
}

export function readBackupOutcome(dir: string): BackupOutcome | undefined {
  try {
    const found = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as BackupOutcome;
    return typeof found.at === 'string' && typeof found.ok === 'boolean' ? found : undefined;
  } catch {
    return undefined;
  }
}

/** The newer of two outcomes (ISO timestamps compare as strings). */
export function newerOutcome(a: BackupOutcome | null, b: BackupOutcome | undefined): BackupOutcome | null {
  if (!b) return a;
  return !a || b.at > a.at ? b : a;
}
