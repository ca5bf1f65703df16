import { devNull } from 'node:os';
import { describeTarget } from '../db/target.ts';
import { LoaderError } from '../errors.ts';
import { toolConnection } from './databaseUrl.ts';
import { runPgCommand } from './pgCommand.ts';
import type { PgTools } from './pgTools.ts';

/** The three things pg_restore is asked to do with a dump. */

/** The tables whose data the dump holds (`TABLE DATA` entries of its table of contents), as `schema.table`. */
export async function tablesInDump(tools: PgTools, file: string): Promise<{ entries: number; tables: Set<string> }> {
  const { stdout } = await runPgCommand(tools.pgRestore, ['--list', file], {
    captureStdout: true,
    failure: (reason, cause) =>
      new LoaderError('BACKUP_UNREADABLE', `pg_restore cannot read the table of contents of ${file} (${reason}).`, {
        cause,
        details: { file },
      }),
  });
  const lines = stdout.split(/\r?\n/).filter((line) => line && !line.startsWith(';'));
  const tables = new Set<string>();
  for (const line of lines) {
    // "215; 0 16390 TABLE DATA public documents postgres"
    const match = /^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) /.exec(line);
    if (match) tables.add(`${match[1]}.${match[2]}`);
  }
  return { entries: lines.length, tables };
}

/**
 * Reads the whole dump as a restore would, writing the SQL nowhere: every data block is
 * decompressed, so a damaged byte anywhere in the data makes it fail.
 */
export async function readWholeDump(tools: PgTools, file: string): Promise<void> {
  await runPgCommand(tools.pgRestore, ['--file', devNull, file], {
    failure: (reason, cause) =>
      new LoaderError('BACKUP_UNREADABLE', `pg_restore cannot read all of ${file} (${reason}).`, {
        cause,
        details: { file },
      }),
  });
}

/**
 * Restores the dump into an existing, empty database, in one transaction and stopping at
 * the first error: it either arrives whole or not at all. Ownership and grants are left
 * out: the restoring user owns the result, whichever role owned the original.
 */
export async function restoreDumpInto(tools: PgTools, file: string, url: string): Promise<void> {
  const connection = toolConnection(url);
  await runPgCommand(
    tools.pgRestore,
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${connection.dbname}`, file],
    {
      env: connection.env,
      failure: (reason, cause) =>
        new LoaderError(
          'RESTORE_FAILED',
          `pg_restore of ${file} into ${describeTarget(url)} failed (${reason}); nothing of it was kept.`,
          { cause, details: { file, target: describeTarget(url) } },
        ),
    },
  );
}
