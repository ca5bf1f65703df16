import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LoaderError, errorMessage } from '../errors.ts';
import { backupPaths } from './backupFiles.ts';
import { parseSha256Line, sha256OfFile } from './checksum.ts';
import { restoreDrill, type DrillOutcome } from './drill.ts';
import { readManifest, type BackupManifest } from './manifest.ts';
import { readWholeDump, tablesInDump } from './pgRestore.ts';
import type { PgTools } from './pgTools.ts';

/**
 * The verification ladder, cheapest first; each level runs every level below it:
 *   checksum — the dump's SHA-256 equals its .sha256 file and its manifest (bit rot, truncation)
 *   list     — pg_restore reads its table of contents, which holds every table of the manifest
 *   read     — pg_restore reads every byte of the data (a damaged compressed block fails here)
 *   drill    — a real restore into a scratch database whose row counts equal the manifest's
 */
export const VERIFY_LEVELS = ['checksum', 'list', 'read', 'drill'] as const;
export type VerifyLevel = (typeof VERIFY_LEVELS)[number];

export interface VerifyStep {
  step: VerifyLevel;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** The level asked for. */
  requested: VerifyLevel;
  /** The highest level that passed; null when even the checksum failed. */
  level: VerifyLevel | null;
  steps: VerifyStep[];
  drill?: DrillOutcome;
}

export interface VerifyOptions {
  level: VerifyLevel;
  tools: PgTools;
  /** For a drill: a server where this user may create (and drop) a scratch database. */
  adminUrl?: string;
}

export async function verifyBackup(file: string, options: VerifyOptions): Promise<VerifyResult> {
  const { level: requested, tools, adminUrl } = options;
  if (requested === 'drill' && !adminUrl) {
    throw new LoaderError(
      'DRILL_NEEDS_SERVER',
      'A restore drill needs a PostgreSQL server to restore into: pass the admin URL of one where a scratch database may be created.',
    );
  }
  let manifest: BackupManifest | undefined;
  const result: VerifyResult = { ok: false, requested, level: null, steps: [] };
  const run: Record<VerifyLevel, () => Promise<string>> = {
    checksum: async () => {
      manifest = await readManifest(file);
      return checkChecksum(file, manifest);
    },
    list: () => checkTableOfContents(file, manifest!, tools),
    read: async () => {
      await readWholeDump(tools, file);
      return `pg_restore read all ${manifest!.size_bytes} bytes`;
    },
    drill: async () => {
      try {
        result.drill = await restoreDrill(file, manifest!, tools, adminUrl!);
      } catch (error) {
        const drill = error instanceof LoaderError ? (error.details?.drill as DrillOutcome | undefined) : undefined;
        if (drill) result.drill = drill;
        throw error;
      }
      const rows = result.drill.tables.reduce((sum, table) => sum + (table.restored ?? 0), 0);
      return `restored into a scratch database in ${result.drill.durationMs} ms: ${result.drill.tables.length} tables, ${rows} rows, all as in the manifest`;
    },
  };
  for (const step of VERIFY_LEVELS.slice(0, VERIFY_LEVELS.indexOf(requested) + 1)) {
    const started = performance.now();
    try {
      const detail = await run[step]();
      result.steps.push({ step, ok: true, ms: Math.round(performance.now() - started), detail });
      result.level = step;
    } catch (error) {
      result.steps.push({ step, ok: false, ms: Math.round(performance.now() - started), detail: errorMessage(error) });
      return result;
    }
  }
  result.ok = true;
  return result;
}

async function checkChecksum(file: string, manifest: BackupManifest): Promise<string> {
  const size = (await stat(file)).size;
  if (size !== manifest.size_bytes) {
    throw mismatch(file, `it has ${size} bytes where its manifest says ${manifest.size_bytes}`);
  }
  const recorded = parseSha256Line(await readFile(backupPaths(file).sha256, 'utf8').catch(() => ''));
  if (!recorded) throw mismatch(file, `its .sha256 file is missing or holds no SHA-256`);
  const actual = await sha256OfFile(file);
  if (actual !== recorded) throw mismatch(file, `its SHA-256 is ${actual}, its .sha256 file says ${recorded}`);
  if (actual !== manifest.sha256)
    throw mismatch(file, `its SHA-256 is ${actual}, its manifest says ${manifest.sha256}`);
  return `SHA-256 ${actual} matches the .sha256 file and the manifest`;
}

function mismatch(file: string, what: string): LoaderError {
  return new LoaderError(
    'BACKUP_CHECKSUM_MISMATCH',
    `The backup ${basename(file)} is damaged or was changed: ${what}. Do not restore it; use another backup.`,
    { details: { file } },
  );
}

async function checkTableOfContents(file: string, manifest: BackupManifest, tools: PgTools): Promise<string> {
  const { entries, tables } = await tablesInDump(tools, file);
  const missing = Object.keys(manifest.row_counts).filter((table) => !tables.has(table));
  if (missing.length > 0) {
    throw new LoaderError(
      'BACKUP_INCOMPLETE',
      `The dump ${basename(file)} lacks the data of ${missing.join(', ')}, which its manifest lists; use another backup.`,
      { details: { file, missing } },
    );
  }
  return `${entries} entries, including the data of all ${Object.keys(manifest.row_counts).length} tables of the manifest`;
}
