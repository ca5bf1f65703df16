import { basename, dirname, join } from 'node:path';

/**
 * Where a backup lives and what belongs to it. A backup is a set of files in
 * `<dir>/<type>/` sharing one base name: the dump, its `.sha256` (sha256sum format), its
 * `.manifest.json` and, once checked, its `.verify.json`. Only names of this shape are ever
 * touched by retention, so anything else an operator puts there is safe.
 */
export const BACKUP_TYPES = ['daily', 'weekly', 'monthly', 'manual'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];

const PREFIX = 'invoice-loader';
const SIDECARS = ['.sha256', '.manifest.json', '.verify.json'] as const;
// An optional label after the stamp says why a backup was taken (pre-upgrade-0.1.0).
const BASE_NAME = new RegExp(`^${PREFIX}_(.+)_(${BACKUP_TYPES.join('|')})_(\\d{8}-\\d{6})(?:_([A-Za-z0-9.+-]+))?$`);

export interface BackupName {
  /** `invoice-loader_<db>_<type>_<YYYYMMDD-HHMMSS>`, without an extension. */
  base: string;
  database: string;
  type: BackupType;
  /** The moment in the name (UTC). */
  stampedAt: Date;
  /** Why it was taken, when the name says (pre-upgrade-0.1.0). */
  label?: string;
}

/**
 * `invoice-loader_<db>_<type>_<YYYYMMDD-HHMMSS>.dump`. The stamp is UTC so that names sort
 * in time order across daylight-saving changes; the manifest holds the exact instant.
 */
export function backupFileName(database: string, type: BackupType, at: Date, label?: string): string {
  const safe = database.replace(/[^A-Za-z0-9_-]/g, '-');
  const iso = at.toISOString(); // 2026-11-22T02:00:00.000Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const suffix = label ? `_${label.replace(/[^A-Za-z0-9.+-]/g, '-')}` : '';
  return `${PREFIX}_${safe}_${type}_${stamp}${suffix}.dump`;
}

/** The backup a file name belongs to (the dump or one of its sidecars), or undefined for any other file. */
export function parseBackupFileName(fileName: string): BackupName | undefined {
  const base = stripKnownExtension(fileName);
  const match = base === undefined ? null : BASE_NAME.exec(base);
  if (!match || base === undefined) return undefined;
  const stamp = match[3]!;
  const stampedAt = new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );
  if (Number.isNaN(stampedAt.getTime())) return undefined;
  return {
    base,
    database: match[1]!,
    type: match[2] as BackupType,
    stampedAt,
    ...(match[4] ? { label: match[4] } : {}),
  };
}

function stripKnownExtension(fileName: string): string | undefined {
  for (const extension of ['.dump', ...SIDECARS]) {
    if (fileName.endsWith(extension)) return fileName.slice(0, -extension.length);
  }
  return undefined;
}

export interface BackupPaths {
  dump: string;
  sha256: string;
  manifest: string;
  verify: string;
}

/** The files of the backup whose dump is `dumpFile`. */
export function backupPaths(dumpFile: string): BackupPaths {
  const base = join(dirname(dumpFile), basename(dumpFile, '.dump'));
  return {
    dump: `${base}.dump`,
    sha256: `${base}.sha256`,
    manifest: `${base}.manifest.json`,
    verify: `${base}.verify.json`,
  };
}

/** Every file of a backup set, sidecars first: removing them in this order never leaves a manifest without its dump. */
export function backupSetFiles(dumpFile: string): string[] {
  const paths = backupPaths(dumpFile);
  return [paths.manifest, paths.verify, paths.sha256, paths.dump];
}

/**
 * A dump being written lives in the backup folder itself under a hidden name, so the final
 * rename stays on one filesystem and is atomic. Retention removes such files only when stale.
 */
export function partialFileName(finalName: string): string {
  return `.${finalName}.${process.pid}.partial`;
}

export const PARTIAL_FILE = new RegExp(`^\\.${PREFIX}_.+\\.partial$`);
