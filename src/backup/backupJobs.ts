import { basename, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { LoaderError, errorMessage } from '../errors.ts';
import { diskFullError, isDiskFull } from './diskFull.ts';
import { recordBackupOutcome } from './lastRun.ts';
import { listBackups, recordVerification } from './listBackups.ts';
import type { BackupType } from './backupFiles.ts';
import { openClient } from './pgClient.ts';
import { assertToolsCanDump, findPgTools, type PgTools } from './pgTools.ts';
import { applyRetention } from './retention.ts';
import { formatBytes, runBackup } from './runBackup.ts';
import { verifyBackup } from './verifyBackup.ts';

/**
 * The backup jobs as the daemon's `backup` actor and the CLI both run them, so that a
 * scheduled backup and `invoice-loader backup run` are the same thing.
 */
type Settings = Config['backup'];

/** pg_dump and pg_restore fit for the server behind `url` (clear errors otherwise). */
export async function toolsFor(settings: Settings, url: string): Promise<PgTools> {
  const client = await openClient(url);
  let serverMajor: number;
  try {
    const version = await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    serverMajor = Math.floor(version.rows[0]!.v / 10_000);
  } finally {
    await client.end();
  }
  const tools = await findPgTools(settings.pgBinDir, { serverMajor });
  assertToolsCanDump(tools, serverMajor);
  return tools;
}

/**
 * Dump, read back in full, record the verification, apply retention. Resolves with a one-line
 * summary. The outcome is recorded in backup.dir for the daemon's health, also when it failed.
 */
export async function backupAndRotate(
  settings: Settings,
  url: string,
  kind: BackupType,
  onProgress?: (text: string) => void,
  options: { label?: string } = {},
): Promise<{ file: string; summary: string; removed: string[] }> {
  const dir = resolve(settings.dir);
  try {
    const result = await dumpAndRotate(settings, url, kind, dir, onProgress, options);
    recordBackupOutcome(dir, { at: new Date().toISOString(), ok: true, detail: result.summary });
    return result;
  } catch (caught) {
    const error = isDiskFull(caught) ? diskFullError(dir, caught) : caught;
    recordBackupOutcome(dir, {
      at: new Date().toISOString(),
      ok: false,
      detail: `${kind} backup: ${errorMessage(error)}`,
    });
    throw error;
  }
}

async function dumpAndRotate(
  settings: Settings,
  url: string,
  kind: BackupType,
  dir: string,
  onProgress: ((text: string) => void) | undefined,
  options: { label?: string },
): Promise<{ file: string; summary: string; removed: string[] }> {
  const tools = await toolsFor(settings, url);
  const { file, manifest } = await runBackup({
    url,
    dir,
    type: kind,
    tools,
    ...(onProgress ? { onProgress } : {}),
    ...(options.label ? { label: options.label } : {}),
  });
  onProgress?.('verifying (reading every byte back)');
  const verification = await verifyBackup(file, { level: 'read', tools });
  await recordVerification(file, verification);
  if (!verification.ok) {
    const failed = verification.steps.find((step) => !step.ok);
    throw new LoaderError(
      'BACKUP_VERIFY_FAILED',
      `The new backup ${basename(file)} did not verify: ${failed?.detail ?? 'unknown reason'}.`,
    );
  }
  const removed = kind === 'manual' ? [] : (await applyRetention(dir, settings.retention, new Date())).deleted;
  const summary =
    `${kind} backup ${basename(file)}: ${formatBytes(manifest.size_bytes)}, verified` +
    (removed.length ? `; ${removed.length} older backup(s) removed by retention` : '');
  return { file, summary, removed };
}

/** Restores the newest backup into a scratch database and compares it. Resolves with a one-line summary. */
export async function drillNewest(settings: Settings, url: string): Promise<string> {
  const newest = (await listBackups(resolve(settings.dir)))[0];
  if (!newest) throw new LoaderError('DRILL_NO_BACKUP', `There is no backup in ${resolve(settings.dir)} to drill.`);
  const tools = await toolsFor(settings, url);
  const result = await verifyBackup(newest.file, { level: 'drill', tools, adminUrl: url });
  await recordVerification(newest.file, result);
  if (!result.ok) {
    const failed = result.steps.find((step) => !step.ok);
    throw new LoaderError(
      'DRILL_FAILED',
      `The restore drill of ${basename(newest.file)} failed: ${failed?.detail ?? 'unknown reason'}.`,
    );
  }
  const tables = result.drill?.tables.length ?? 0;
  return `drill of ${basename(newest.file)}: restored and compared ${tables} tables in ${Math.round(result.drill?.durationMs ?? 0)} ms`;
}
