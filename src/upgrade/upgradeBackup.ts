import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { backupAndRotate } from '../backup/backupJobs.ts';
import type { Config } from '../config/schema.ts';
import { MIGRATIONS_DIR, migrate, shippedMigrations } from '../db/migrate.ts';
import { LoaderError, errorMessage } from '../errors.ts';

export interface MigrationState {
  /** Migrations the database already has, oldest first. */
  applied: string[];
  /** Migrations this version ships that the database lacks: what a start would apply. */
  pending: string[];
  /** The version of the last daemon that ran on this database (daemon_instances), if any did. */
  installedVersion: string | undefined;
}

/** What the database holds against what this version ships; reads only, changes nothing. */
export async function migrationState(
  client: pg.ClientBase | pg.Pool,
  shipped = shippedMigrations(),
): Promise<MigrationState> {
  const tables = await client.query<{ migrations: string | null; instances: string | null }>(
    "SELECT to_regclass('pgmigrations')::text AS migrations, to_regclass('daemon_instances')::text AS instances",
  );
  const { migrations, instances } = tables.rows[0]!;
  const applied = migrations
    ? (await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id')).rows.map(
        (r) => r.name,
      )
    : [];
  const installedVersion = instances
    ? (
        await client.query<{ version: string }>(
          'SELECT version FROM daemon_instances ORDER BY started_at DESC, last_seen_at DESC LIMIT 1',
        )
      ).rows[0]?.version
    : undefined;
  const known = new Set(applied);
  return { applied, pending: shipped.filter((name) => !known.has(name)), installedVersion };
}

/** The label of the backup taken before an upgrade: the version it upgrades from. */
export function preUpgradeLabel(state: MigrationState): string {
  // A database only ever migrated by the CLI has no daemon row: its newest migration names the schema.
  return `pre-upgrade-${state.installedVersion ?? `schema-${state.applied.at(-1) ?? 'empty'}`}`;
}

export interface UpgradeOptions {
  config: Pick<Config, 'database' | 'backup'>;
  /** The database URL (holds the password: goes to pg_dump only). */
  url: string;
  log?: (message: string) => void;
  /** What this version ships and how it applies it; a test passes a newer version's. */
  shipped?: string[];
  apply?: (client: pg.ClientBase) => Promise<string[]>;
}

/**
 * Applies new migrations, but first, when the database already has a schema, takes a
 * verified backup named for the version being left (`…_manual_<stamp>_pre-upgrade-0.1.0.dump`,
 * never rotated). If that backup fails, nothing is migrated: the old version can still run
 * on the database, and the error says why. database.backupBeforeMigrate: false skips the backup.
 */
export async function migrateWithUpgradeBackup(client: pg.ClientBase, options: UpgradeOptions): Promise<string[]> {
  const log = options.log ?? (() => {});
  const apply = options.apply ?? ((c: pg.ClientBase) => migrate(c));
  const state = await migrationState(client, options.shipped);
  const upgrading = state.pending.length > 0 && state.applied.length > 0;
  if (upgrading && options.config.database.backupBeforeMigrate) {
    const label = preUpgradeLabel(state);
    log(`${state.pending.length} new migration(s) to apply; backing up first (${label})`);
    try {
      const { file } = await backupAndRotate(options.config.backup, options.url, 'manual', log, { label });
      log(`upgrade backup saved: ${file}`);
    } catch (error) {
      throw new LoaderError(
        'UPGRADE_BACKUP_FAILED',
        `The backup before upgrading the database schema (${label}) failed, so no migration was applied: ` +
          `${errorMessage(error).replace(/([^.!?])$/, '$1.')} Fix the backup (or set database.backupBeforeMigrate: false to upgrade without one) and start again.`,
        { cause: error, details: { pending: state.pending, label } },
      );
    }
  }
  return apply(client);
}

/**
 * What `db migrate --dry-run` prints: the backup that would be taken and, per pending
 * migration, the statements of its up part (their first lines), so an operator sees the change.
 */
export function describePendingMigrations(
  state: MigrationState,
  backupBeforeMigrate: boolean,
  dir = MIGRATIONS_DIR,
): string[] {
  if (!state.pending.length) return ['Nothing to migrate: the database has every migration this version ships.'];
  const lines = [
    state.applied.length === 0
      ? `An empty database: ${state.pending.length} migration(s) would create the schema (no backup needed).`
      : backupBeforeMigrate
        ? `${state.pending.length} migration(s) would be applied after a verified backup named …_${preUpgradeLabel(state)}.dump in backup.dir/manual/.`
        : `${state.pending.length} migration(s) would be applied WITHOUT a backup (database.backupBeforeMigrate: false).`,
  ];
  for (const name of state.pending) {
    lines.push(`  ${name}`);
    const sql = readFileSync(join(dir, `${name}.sql`), 'utf8');
    const up = sql.split(/^--\s*Down Migration/m)[0] ?? '';
    for (const statement of up.split(/;\s*$/m)) {
      const first = statement
        .split(/\r?\n/)
        .map((line) => line.trim())
        .find((line) => line && !line.startsWith('--'));
      if (first) lines.push(`    ${first.length > 100 ? `${first.slice(0, 97)}...` : first}`);
    }
  }
  return lines;
}
