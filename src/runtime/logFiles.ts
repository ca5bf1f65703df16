import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the daemon's log files live and how they are named: pino-roll writes
 * `invoice-loader.YYYY-MM-DD.N.log`, a new number on each size rotation and day.
 */
export const LOG_BASENAME = 'invoice-loader';
const LOG_FILE = /^invoice-loader\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/;

export interface LogFile {
  path: string;
  date: string;
  number: number;
}

/** The log files in write order, oldest first. */
export function listLogFiles(dir: string): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const match = LOG_FILE.exec(name);
      return match ? [{ path: join(dir, name), date: match[1]!, number: Number(match[2]) }] : [];
    })
    .sort((a, b) => a.date.localeCompare(b.date) || a.number - b.number);
}

/** Deletes log files last written more than `retentionDays` ago; returns what it removed. */
export function removeExpiredLogs(dir: string, retentionDays: number, now = Date.now()): string[] {
  const cutoff = now - retentionDays * 86_400_000;
  const removed: string[] = [];
  for (const file of listLogFiles(dir)) {
    try {
      if (statSync(file.path).mtimeMs < cutoff) {
        unlinkSync(file.path);
        removed.push(file.path);
      }
    } catch {
      // Another process (a second daemon, an operator) may have removed it already.
    }
  }
  return removed;
}
