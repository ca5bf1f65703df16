import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeTarget } from '../db/target.ts';
import { LoaderError, errorMessage } from '../errors.ts';
import { withDatabase } from './databaseUrl.ts';
import type { BackupManifest } from './manifest.ts';
import { openClient } from './pgClient.ts';
import { restoreDumpInto } from './pgRestore.ts';
import type { PgTools } from './pgTools.ts';
import { compareRowCounts, countRowsAt, type TableComparison } from './rowCounts.ts';

export interface DrillOutcome {
  /** The scratch database it restored into (dropped again). */
  database: string;
  /** Create, restore and count: how long getting this backup back takes (the measured RTO). */
  durationMs: number;
  tables: TableComparison[];
}

/**
 * A restore drill: the dump restored into a scratch database `il_drill_<random>` on the
 * server of `adminUrl`, every table's rows counted and compared with the manifest. The
 * scratch database is dropped however the drill ends. Throws DRILL_MISMATCH (with the
 * outcome in its details) when a count differs.
 */
export async function restoreDrill(
  file: string,
  manifest: BackupManifest,
  tools: PgTools,
  adminUrl: string,
): Promise<DrillOutcome> {
  const scratch = `il_drill_${randomBytes(5).toString('hex')}`;
  const scratchUrl = withDatabase(adminUrl, scratch);
  const admin = await openClient(adminUrl);
  try {
    const started = performance.now();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(scratch)}`);
    let outcome: DrillOutcome | undefined;
    let failure: unknown;
    try {
      await restoreDumpInto(tools, file, scratchUrl);
      const compared = compareRowCounts(manifest.row_counts, await countRowsAt(scratchUrl));
      outcome = { database: scratch, durationMs: Math.round(performance.now() - started), tables: compared.tables };
      if (!compared.ok) {
        failure = new LoaderError(
          'DRILL_MISMATCH',
          `The restored copy of ${file} differs from its manifest (${compared.differences.join('; ')}): do not rely on this backup.`,
          { details: { file, drill: outcome } },
        );
      }
    } catch (error) {
      failure = error;
    }
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(scratch)} WITH (FORCE)`);
    } catch (error) {
      // A failed drill explains itself better than its leftover database does.
      failure ??= new LoaderError(
        'DRILL_CLEANUP_FAILED',
        `The drill passed but could not drop its scratch database ${scratch} on ${describeTarget(adminUrl)} (${errorMessage(error)}); drop it by hand.`,
        { cause: error, details: { database: scratch, drill: outcome } },
      );
    }
    if (failure !== undefined) throw failure;
    return outcome!;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
