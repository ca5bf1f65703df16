import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PARTIAL_FILE, backupSetFiles, parseBackupFileName, type BackupType } from './backupFiles.ts';
import { readVerification } from './listBackups.ts';
import { readManifest } from './manifest.ts';

export interface RetentionCounts {
  daily: number;
  weekly: number;
  monthly: number;
}

/** A leftover of a backup that was interrupted (killed, power cut) is removed once this old. */
const STALE_PARTIAL_MS = 24 * 60 * 60 * 1000;

interface BackupSet {
  /** Path of the `.dump` (which may itself be missing in a damaged set). */
  file: string;
  type: BackupType;
  createdAt: number;
}

/**
 * Keeps the newest `keep[type]` backups of each rotated type and deletes the others with all
 * their files. Two exceptions: `manual` backups are never rotated, and the newest backup
 * that passed verification is never deleted, even when its type's count says so: were every
 * newer backup damaged, it is the one that can still be restored. Only files named like
 * backups are touched. Returns the `.dump` paths of the sets deleted and kept.
 */
export async function applyRetention(
  dir: string,
  keep: RetentionCounts,
  now: Date,
): Promise<{ deleted: string[]; kept: string[] }> {
  const sets = await findBackupSets(dir);
  const protectedFile = await newestVerified(sets);
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const type of ['daily', 'weekly', 'monthly', 'manual'] as const) {
    const ofType = sets.filter((set) => set.type === type).sort((a, b) => b.createdAt - a.createdAt);
    ofType.forEach((set, index) => {
      const retained = type === 'manual' || index < keep[type] || set.file === protectedFile;
      (retained ? kept : deleted).push(set.file);
    });
  }
  for (const file of deleted) {
    for (const path of backupSetFiles(file)) await rm(path, { force: true });
  }
  await removeStalePartials(dir, now);
  return { deleted, kept };
}

/** The backup sets in `<dir>/<type>/`, dated by their manifest, or by their name when it is unreadable. */
async function findBackupSets(dir: string): Promise<BackupSet[]> {
  const sets = new Map<string, BackupSet>();
  for (const type of ['daily', 'weekly', 'monthly', 'manual'] as const) {
    const typeDir = join(dir, type);
    for (const name of await readdir(typeDir).catch(() => [] as string[])) {
      const parsed = parseBackupFileName(name);
      if (!parsed || parsed.type !== type) continue;
      const file = join(typeDir, `${parsed.base}.dump`);
      if (!sets.has(file)) sets.set(file, { file, type, createdAt: parsed.stampedAt.getTime() });
    }
  }
  for (const set of sets.values()) {
    const manifest = await readManifest(set.file).catch(() => undefined);
    if (manifest) set.createdAt = Date.parse(manifest.created_at);
  }
  return [...sets.values()];
}

async function newestVerified(sets: BackupSet[]): Promise<string | undefined> {
  const newestFirst = [...sets].sort((a, b) => b.createdAt - a.createdAt);
  for (const set of newestFirst) {
    if ((await readVerification(set.file)).verified?.ok) return set.file;
  }
  return undefined;
}

async function removeStalePartials(dir: string, now: Date): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!PARTIAL_FILE.test(name)) continue;
    const path = join(dir, name);
    const modified = await stat(path)
      .then((s) => s.mtimeMs)
      .catch(() => undefined);
    if (modified !== undefined && now.getTime() - modified > STALE_PARTIAL_MS) await rm(path, { force: true });
  }
}
