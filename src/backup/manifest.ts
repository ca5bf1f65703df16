import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LoaderError, errorMessage } from '../errors.ts';
import { BACKUP_TYPES, backupPaths } from './backupFiles.ts';

/**
 * What a backup says about itself, written next to the dump as `<name>.manifest.json`.
 * The row counts were taken in the same snapshot pg_dump dumped, so a restore of this dump
 * must reproduce them exactly: that is what a drill and a restore compare against.
 */
export const manifestSchema = z.object({
  manifest_version: z.literal(1),
  file: z.string(),
  type: z.enum(BACKUP_TYPES),
  created_at: z.iso.datetime(),
  /** The database, described without its password. */
  database: z.string(),
  server_version: z.string(),
  server_major: z.number(),
  pg_dump_version: z.string(),
  size_bytes: z.number().int().nonnegative(),
  duration_ms: z.number().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Exact row count per table, keyed `schema.table`. */
  row_counts: z.record(z.string(), z.number().int().nonnegative()),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export async function readManifest(dumpFile: string): Promise<BackupManifest> {
  const path = backupPaths(dumpFile).manifest;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LoaderError(
      'BACKUP_MANIFEST_MISSING',
      `The backup ${dumpFile} has no readable manifest (${path}): it is incomplete or not a backup of this program; use another backup.`,
      { cause: error, details: { file: dumpFile } },
    );
  }
  try {
    return manifestSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new LoaderError(
      'BACKUP_MANIFEST_INVALID',
      `The manifest ${path} is damaged (${errorMessage(error).slice(0, 200)}); use another backup.`,
      { cause: error, details: { file: dumpFile } },
    );
  }
}
