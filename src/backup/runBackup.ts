import { existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeTarget } from '../db/target.ts';
import { LoaderError } from '../errors.ts';
import { backupFileName, backupPaths, partialFileName, type BackupType } from './backupFiles.ts';
import { sha256Line, sha256OfFile } from './checksum.ts';
import { databaseName, toolConnection } from './databaseUrl.ts';
import { openSnapshot } from './databaseSnapshot.ts';
import { syncFolder, writeAndSync } from '../runtime/durableFiles.ts';
import { makePrivateFile, makePrivateFolder, PRIVATE_FILE_MODE } from '../runtime/privateFiles.ts';
import type { BackupManifest } from './manifest.ts';
import { runPgCommand } from './pgCommand.ts';
import { assertToolsCanDump, type PgTools } from './pgTools.ts';
import type { RowCounts } from './rowCounts.ts';

export interface BackupOptions {
  /** The database to back up. Holds the password: it goes to pg_dump only through PGPASSWORD. */
  url: string;
  /** The backup folder; the backup lands in `<dir>/<type>/`. */
  dir: string;
  type: BackupType;
  tools: PgTools;
  /** The instant the backup is named and dated by (tests pass a simulated one). */
  now?: Date;
  /** Said in the file name after the stamp: why this backup was taken (pre-upgrade-0.1.0). */
  label?: string;
  onProgress?: (text: string) => void;
}

export interface BackupRecord {
  /** Path of the `.dump`. */
  file: string;
  manifest: BackupManifest;
}

/**
 * One backup: `pg_dump -Fc` into a hidden file in `dir`, its SHA-256, the `.sha256` and the
 * manifest, then renames into `<dir>/<type>/`. The manifest is renamed last: a backup
 * exists once its manifest does, and a failure at any step leaves no partial file behind.
 */
export async function runBackup(options: BackupOptions): Promise<BackupRecord> {
  const { url, dir, type, tools } = options;
  const progress = options.onProgress ?? (() => {});
  const startedAt = performance.now();
  const createdAt = options.now ?? new Date();
  const target = describeTarget(url);
  const name = backupFileName(databaseName(url), type, createdAt, options.label);
  const typeDir = join(dir, type);
  const final = backupPaths(join(typeDir, name));
  makePrivateFolder(typeDir);
  if (existsSync(final.dump) || existsSync(final.manifest)) {
    throw new LoaderError(
      'BACKUP_EXISTS',
      `A backup named ${name} already exists in ${typeDir}; wait a second and run the backup again.`,
      { details: { file: final.dump } },
    );
  }
  const partial = {
    dump: join(dir, partialFileName(name)),
    sha256: join(dir, partialFileName(`${name}.sha256`)),
    manifest: join(dir, partialFileName(`${name}.manifest.json`)),
  };

  const placed: string[] = [];
  try {
    progress(`connecting to ${target}`);
    const snapshot = await openSnapshot(url);
    let rowCounts: RowCounts;
    try {
      assertToolsCanDump(tools, snapshot.serverMajor);
      progress(`dumping ${target} (PostgreSQL ${snapshot.serverVersion}) with ${tools.versionText}`);
      rowCounts = await dumpAndCount(tools, url, snapshot, partial.dump);
    } finally {
      await snapshot.close();
    }
    const sizeBytes = (await stat(partial.dump)).size;
    progress(`dumped ${formatBytes(sizeBytes)}; computing its SHA-256`);
    const sha256 = await sha256OfFile(partial.dump);
    const manifest: BackupManifest = {
      manifest_version: 1,
      file: name,
      type,
      created_at: createdAt.toISOString(),
      database: target,
      server_version: snapshot.serverVersion,
      server_major: snapshot.serverMajor,
      pg_dump_version: tools.versionText,
      size_bytes: sizeBytes,
      duration_ms: Math.round(performance.now() - startedAt),
      sha256,
      row_counts: rowCounts,
    };
    await writeAndSync(partial.sha256, sha256Line(sha256, name));
    await writeAndSync(partial.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(partial.dump, final.dump);
    placed.push(final.dump);
    await rename(partial.sha256, final.sha256);
    placed.push(final.sha256);
    await rename(partial.manifest, final.manifest);
    await syncFolder(typeDir);
    progress(`saved ${final.dump} (${formatBytes(sizeBytes)}, ${manifest.duration_ms} ms)`);
    return { file: final.dump, manifest };
  } catch (error) {
    // Whatever was already renamed into place is incomplete without the manifest: remove it too.
    await Promise.all([...Object.values(partial), ...placed].map((path) => rm(path, { force: true })));
    throw error;
  }
}

/**
 * pg_dump and the row counts run side by side in the same snapshot. When one fails the
 * other is stopped, and both have ended before this returns, so no child is left writing
 * a file that is about to be removed.
 */
async function dumpAndCount(
  tools: PgTools,
  url: string,
  snapshot: { id: string; countRows(): Promise<RowCounts> },
  file: string,
): Promise<RowCounts> {
  const connection = toolConnection(url);
  // pg_dump creates its file with the umask's mode (often world-readable); one that exists keeps its mode.
  await (await open(file, 'w', PRIVATE_FILE_MODE)).close();
  const stop = new AbortController();
  const dump = runPgCommand(
    tools.pgDump,
    ['--format=custom', `--snapshot=${snapshot.id}`, `--file=${file}`, `--dbname=${connection.dbname}`],
    {
      env: connection.env,
      signal: stop.signal,
      failure: (reason, cause) =>
        new LoaderError(
          'BACKUP_DUMP_FAILED',
          `pg_dump of ${describeTarget(url)} failed (${reason}); no backup was written. Check that the database is reachable and the disk has room, then run the backup again.`,
          { cause, details: { target: describeTarget(url), pgDump: tools.pgDump } },
        ),
    },
  );
  const counts = snapshot.countRows();
  const [dumped, counted] = await Promise.allSettled([
    dump,
    counts.catch((error) => (stop.abort(), Promise.reject(error))),
  ]);
  // When the counts failed, the dump was stopped because of them: their error is the cause.
  if (counted.status === 'rejected' && stop.signal.aborted) throw counted.reason;
  if (dumped.status === 'rejected') throw dumped.reason;
  if (counted.status === 'rejected') throw counted.reason;
  makePrivateFile(file);
  return counted.value;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
