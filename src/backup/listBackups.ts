import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_TYPES, backupPaths, parseBackupFileName, type BackupType } from './backupFiles.ts';
import { writeFileDurably } from '../runtime/durableFiles.ts';
import { readManifest, type BackupManifest } from './manifest.ts';
import type { VerifyResult } from './verifyBackup.ts';

/** A verification as recorded next to its backup. */
export type VerificationRecord = VerifyResult & { at: string };

/** `<name>.verify.json`: the latest verification of any level, and the latest drill. */
export interface VerificationFile {
  verified?: VerificationRecord;
  drill?: VerificationRecord;
}

export interface BackupEntry {
  /** Path of the `.dump`. */
  file: string;
  type: BackupType;
  manifest: BackupManifest;
  ageMs: number;
  sizeBytes: number;
  verified?: VerificationRecord;
  drill?: VerificationRecord;
}

/**
 * Every complete backup under `dir`, newest first. Complete means its manifest reads and its
 * dump is there; anything else (a dump whose backup was interrupted, files of other
 * programs) is not a backup one could restore, so it is not listed.
 */
export async function listBackups(dir: string, now: Date = new Date()): Promise<BackupEntry[]> {
  const entries: BackupEntry[] = [];
  for (const type of BACKUP_TYPES) {
    const typeDir = join(dir, type);
    const names = await readdir(typeDir).catch(() => [] as string[]);
    for (const name of names) {
      const parsed = parseBackupFileName(name);
      if (!parsed || parsed.type !== type || !name.endsWith('.manifest.json')) continue;
      const file = join(typeDir, `${parsed.base}.dump`);
      const [manifest, size] = await Promise.all([
        readManifest(file).catch(() => undefined),
        stat(file)
          .then((s) => s.size)
          .catch(() => undefined),
      ]);
      if (!manifest || size === undefined) continue;
      entries.push({
        file,
        type,
        manifest,
        ageMs: now.getTime() - Date.parse(manifest.created_at),
        sizeBytes: size,
        ...(await readVerification(file)),
      });
    }
  }
  return entries.sort((a, b) => Date.parse(b.manifest.created_at) - Date.parse(a.manifest.created_at));
}

/**
 * Records a verification next to its backup. A drill is also the latest verification (it
 * ran every level below it); a plain verification leaves the last drill as it was.
 */
export async function recordVerification(file: string, result: VerifyResult, at: Date = new Date()): Promise<void> {
  const record: VerificationRecord = { ...result, at: at.toISOString() };
  const previous = await readVerification(file);
  const next: VerificationFile = {
    verified: record,
    ...(result.requested === 'drill' ? { drill: record } : previous.drill ? { drill: previous.drill } : {}),
  };
  await writeFileDurably(backupPaths(file).verify, `${JSON.stringify(next, null, 2)}\n`);
}

/** What `<name>.verify.json` holds; nothing when the backup was never verified (or the file is unreadable). */
export async function readVerification(file: string): Promise<VerificationFile> {
  try {
    const parsed = JSON.parse(await readFile(backupPaths(file).verify, 'utf8')) as VerificationFile;
    return {
      ...(parsed.verified ? { verified: parsed.verified } : {}),
      ...(parsed.drill ? { drill: parsed.drill } : {}),
    };
  } catch {
    return {};
  }
}
