import pg from 'pg';
import { describeTarget } from '../db/target.ts';
import { LoaderError } from '../errors.ts';
import { databaseName, maintenanceUrl } from './databaseUrl.ts';
import { readManifest, type BackupManifest } from './manifest.ts';
import { openClient } from './pgClient.ts';
import { restoreDumpInto } from './pgRestore.ts';
import type { PgTools } from './pgTools.ts';
import { compareRowCounts, countRowsAt, type TableComparison } from './rowCounts.ts';
import { verifyBackup } from './verifyBackup.ts';

export interface RestoreOptions {
  /** The database to restore into. Holds the password: never print it. */
  url: string;
  /** Replace the database if it exists (its current content is lost). */
  drop: boolean;
  tools: PgTools;
}

/** A daemon counts as running when it has not stopped and was seen this recently (the watcher refreshes it). */
const RUNNING_WITHIN_SECONDS = 60;

/**
 * Restores a backup into `url`. Before anything is changed: the backup must pass the
 * checksum and list checks, and no daemon may be running against the target (it would
 * keep writing into a database that is being replaced). With `drop` the target is dropped
 * and created anew; without it, it must be empty. Afterwards every table's row count is
 * compared with the manifest.
 */
export async function restoreBackup(
  file: string,
  options: RestoreOptions,
): Promise<{ durationMs: number; tables: TableComparison[] }> {
  const { url, drop, tools } = options;
  const target = describeTarget(url);
  const name = databaseName(url);
  const verified = await verifyBackup(file, { level: 'list', tools });
  if (!verified.ok) {
    const failed = verified.steps.find((step) => !step.ok);
    throw new LoaderError(
      'RESTORE_BACKUP_INVALID',
      `Not restoring ${file}: ${failed?.detail ?? 'it failed verification'}`,
      {
        details: { file, verification: verified },
      },
    );
  }
  const manifest = await readManifest(file);

  const started = performance.now();
  const admin = await openClient(maintenanceUrl(url));
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (exists) await refuseWhileDaemonRuns(url);
    if (exists && drop) {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      await admin.query(`DROP DATABASE ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    }
    if (exists && !drop) await refuseUnlessEmpty(url);
    if (!exists || drop) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }

  await restoreDumpInto(tools, file, url);
  const compared = compareRowCounts(manifest.row_counts, await countRowsAt(url));
  if (!compared.ok) {
    throw new LoaderError(
      'RESTORE_COUNTS_DIFFER',
      `${target} was restored from ${file} but its rows differ from the backup's manifest (${compared.differences.join('; ')}); do not start the daemon on it, restore again or use another backup.`,
      { details: { file, target, tables: compared.tables } },
    );
  }
  return { durationMs: Math.round(performance.now() - started), tables: compared.tables };
}

/** The manifest of a backup: what it holds, when and from where it was taken. */
export function backupInfo(file: string): Promise<BackupManifest> {
  return readManifest(file);
}

async function refuseWhileDaemonRuns(url: string): Promise<void> {
  const client = await openClient(url);
  try {
    const hasTable = await client.query<{ found: boolean }>(
      `SELECT to_regclass('public.daemon_instances') IS NOT NULL AS found`,
    );
    if (!hasTable.rows[0]!.found) return;
    const running = await client.query<{ hostname: string; pid: number; seen_s: number }>(
      `SELECT hostname, pid, round(extract(epoch FROM now() - last_seen_at))::int AS seen_s
         FROM daemon_instances
        WHERE stopped_at IS NULL AND last_seen_at > now() - make_interval(secs => $1)
        ORDER BY last_seen_at DESC`,
      [RUNNING_WITHIN_SECONDS],
    );
    const daemon = running.rows[0];
    if (!daemon) return;
    throw new LoaderError(
      'RESTORE_DAEMON_RUNNING',
      `A daemon is running against ${describeTarget(url)} (host ${daemon.hostname}, pid ${daemon.pid}, seen ${daemon.seen_s} s ago); stop it (its service) and run the restore again.`,
      { details: { target: describeTarget(url), daemons: running.rows } },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function refuseUnlessEmpty(url: string): Promise<void> {
  const client = await openClient(url);
  try {
    const tables = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_tables WHERE schemaname = 'public'`,
    );
    const count = Number(tables.rows[0]!.count);
    if (count === 0) return;
    throw new LoaderError(
      'RESTORE_TARGET_NOT_EMPTY',
      `${describeTarget(url)} already holds ${count} tables; restore into an empty database, or use --drop to replace it (its current content is lost).`,
      { details: { target: describeTarget(url), tables: count } },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
