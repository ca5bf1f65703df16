import pg from 'pg';
import { loadConfigOrExit } from './configOption.ts';
import type { Config } from '../config/schema.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { withClient } from '../db/transaction.ts';
import { LoaderError } from '../errors.ts';
import { describeTarget, explainConnectionError } from '../db/target.ts';
import { exitOnFailure } from './exitOnFailure.ts';

/** What a command may want to tell about the database it worked on. */
export interface CliDatabaseInfo {
  /** The database, for humans: never the password. */
  target: string;
  /** Migrations this run applied (usually none: the daemon applies them at start). */
  appliedMigrations: string[];
  /** The connection string, for tools such as pg_dump. Holds the password: never print it. */
  url: string;
}

/**
 * Runs one CLI command's database work: against database.url, or else the embedded
 * PostgreSQL (attached to when the daemon runs it, started otherwise). Migrations run first,
 * so a command works on a fresh database too. The pool is always closed, and an embedded
 * server this command started is stopped again; one the daemon owns is left alone.
 */
export async function withCliDatabase<T>(
  config: Config,
  work: (pool: pg.Pool, info: CliDatabaseInfo) => Promise<T>,
  /** migrate: false for `restore`, which needs the database as it is (empty, or to be dropped). */
  options: { migrate?: boolean } = {},
): Promise<T> {
  // Imported only when needed: most installations configure database.url, and every import costs start-up time.
  const embedded = config.database.url
    ? undefined
    : await import('../db/embedded.ts').then((m) => m.startEmbeddedPostgres(config.database.embedded));
  const url = embedded?.url ?? config.database.url;
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: config.database.connectTimeoutMs,
    application_name: 'invoice-loader-cli',
  });
  // A connection dropped while idle must not end the process with an uncaught error; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const appliedMigrations = await withClient(pool, async (client) =>
      // One query tells an up-to-date database apart; node-pg-migrate and the upgrade backup load only when there is work.
      options.migrate !== false && (await pendingMigrations(client)).length > 0
        ? (await import('../upgrade/upgradeBackup.ts')).migrateWithUpgradeBackup(client, { config, url })
        : [],
    ).catch((error: unknown) => {
      throw error instanceof LoaderError ? error : explainConnectionError(error, url);
    });
    return await work(pool, { target: describeTarget(url), appliedMigrations, url });
  } finally {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
  }
}

/** A command's whole run: the config, its database work, and any error as one line on stderr with exit code 1. */
export async function runDatabaseCommand(
  configFile: string | undefined,
  work: (pool: pg.Pool, info: CliDatabaseInfo) => Promise<void>,
): Promise<void> {
  const { config } = loadConfigOrExit(configFile);
  await exitOnFailure(() => withCliDatabase(config, work));
}
