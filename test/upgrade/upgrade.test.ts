import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { stringify } from 'yaml';
import { backupFileName, parseBackupFileName } from '../../src/backup/backupFiles.ts';
import { toolsFor } from '../../src/backup/backupJobs.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { loadConfig } from '../../src/config/load.ts';
import { MIGRATIONS_DIR, migrate, shippedMigrations } from '../../src/db/migrate.ts';
import { migrateWithUpgradeBackup } from '../../src/upgrade/upgradeBackup.ts';
import { BIN } from '../support/daemonProcess.ts';
import { createTestDatabase } from '../support/database.ts';
import { cleanEnv, tempDir } from '../support/tempDir.ts';

// Serial: each test runs pg_dump/pg_restore, and on a loaded machine parallel ones hit toolsFor's 5 s connect timeout.
const NEXT = '20991231000000_test-upgrade';

/** A "newer version": the shipped migrations plus one that adds a table and a column. */
function newerVersion(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t, 'invoice-loader-next-migrations-');
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, `${NEXT}.sql`),
    '-- Up Migration\nCREATE TABLE upgrade_probe (id integer);\nALTER TABLE daemon_instances ADD COLUMN upgraded boolean;\n' +
      '-- Down Migration\nDROP TABLE upgrade_probe;\n',
  );
  return {
    shipped: [...shippedMigrations(), NEXT],
    apply: async (client: pg.ClientBase) =>
      (
        await runner({
          dbClient: client,
          dir,
          direction: 'up',
          migrationsTable: 'pgmigrations',
          checkOrder: true,
          singleTransaction: true,
          log: () => {},
        })
      ).map((migration) => migration.name),
  };
}

/** A database as the old version (0.0.9) left it: migrated, one stopped daemon, one row of data. */
async function oldVersionDatabase(t: Parameters<typeof tempDir>[0]) {
  const url = await createTestDatabase(t);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the database is dropped at the end, ending this connection
  await client.connect();
  await migrate(client);
  await client.query(
    `INSERT INTO daemon_instances (id, hostname, pid, version, stopped_at)
     VALUES ('00000000-0000-4000-8000-000000000009', 'old-host', 1, '0.0.9', now())`,
  );
  return { url, client };
}

function configFor(backupDir: string, overrides: { pgBinDir?: string; backupBeforeMigrate?: boolean } = {}) {
  const { config } = loadConfig({ env: {} });
  config.backup.dir = backupDir;
  if (overrides.pgBinDir !== undefined) config.backup.pgBinDir = overrides.pgBinDir;
  if (overrides.backupBeforeMigrate !== undefined) config.database.backupBeforeMigrate = overrides.backupBeforeMigrate;
  return config;
}

const exists = async (client: pg.ClientBase, relation: string) =>
  (await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [relation])).rows[0]!.r !== null;
const appliedNames = async (client: pg.ClientBase) =>
  (await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id')).rows.map((row) => row.name);
const dumpsIn = (dir: string) => readdirSync(join(dir, 'manual')).filter((name) => name.endsWith('.dump'));

test.serial(
  'an upgrade backs up as pre-upgrade-<old version> first; restoring that backup is the rollback to the old schema',
  async (t) => {
    const { url, client } = await oldVersionDatabase(t);
    const backupDir = tempDir(t, 'invoice-loader-upgrade-backups-');
    const config = configFor(backupDir);
    const oldMigrations = await appliedNames(client);

    const applied = await migrateWithUpgradeBackup(client, { config, url, ...newerVersion(t) });
    t.deepEqual(applied, [NEXT]);
    t.true(await exists(client, 'upgrade_probe'));
    const dumps = dumpsIn(backupDir);
    t.is(dumps.length, 1);
    t.regex(dumps[0]!, /^invoice-loader_\w+_manual_\d{8}-\d{6}_pre-upgrade-0\.0\.9\.dump$/);
    await client.end();

    // Rollback: the previous version's files back in place, then the pre-upgrade backup restored.
    await restoreBackup(join(backupDir, 'manual', dumps[0]!), {
      url,
      drop: true,
      tools: await toolsFor(config.backup, url),
    });
    const after = new pg.Client({ connectionString: url });
    after.on('error', () => {});
    await after.connect();
    t.teardown(() => after.end());
    t.false(await exists(after, 'upgrade_probe'));
    t.deepEqual(await appliedNames(after), oldMigrations);
    const columns = await after.query("SELECT 1 FROM information_schema.columns WHERE column_name = 'upgraded'");
    t.is(columns.rowCount, 0);
    const versions = await after.query<{ version: string }>('SELECT version FROM daemon_instances');
    t.deepEqual(
      versions.rows.map((row) => row.version),
      ['0.0.9'],
    );
    // The old version starts on the restored database: nothing to apply, so no second backup either.
    t.deepEqual(await migrateWithUpgradeBackup(after, { config, url }), []);
    t.is(dumpsIn(backupDir).length, 1);
  },
);

test.serial('when the backup before an upgrade fails, nothing is migrated and the error says why', async (t) => {
  const { url, client } = await oldVersionDatabase(t);
  t.teardown(() => client.end());
  const noTools = tempDir(t, 'invoice-loader-no-pg-tools-');
  const config = configFor(tempDir(t), { pgBinDir: noTools });
  const before = await appliedNames(client);

  const error = await t.throwsAsync(migrateWithUpgradeBackup(client, { config, url, ...newerVersion(t) }));
  t.is((error as { code?: string }).code, 'UPGRADE_BACKUP_FAILED');
  t.regex(error!.message, /pre-upgrade-0\.0\.9.*no migration was applied.*pg_dump/s);
  t.false(await exists(client, 'upgrade_probe'));
  t.deepEqual(await appliedNames(client), before);

  // Turned off on purpose, the same upgrade goes through without a backup.
  const unguarded = configFor(tempDir(t), { pgBinDir: noTools, backupBeforeMigrate: false });
  t.deepEqual(await migrateWithUpgradeBackup(client, { config: unguarded, url, ...newerVersion(t) }), [NEXT]);
});

test.serial('a fresh database gets its schema without a backup (there is nothing to lose)', async (t) => {
  const url = await createTestDatabase(t);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the database is dropped at the end, ending this connection
  await client.connect();
  t.teardown(() => client.end());
  const backupDir = tempDir(t);
  const applied = await migrateWithUpgradeBackup(client, { config: configFor(backupDir), url });
  t.deepEqual(applied, shippedMigrations());
  t.deepEqual(readdirSync(backupDir), []);
});

test.serial(
  'db migrate --dry-run lists the pending migrations and the backup it would take, and changes nothing',
  async (t) => {
    const { url, client } = await oldVersionDatabase(t);
    t.teardown(() => client.end().catch(() => undefined));
    await client.query('DELETE FROM pgmigrations WHERE name = $1', [shippedMigrations().at(-1)]);
    const dir = tempDir(t);
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, stringify({ database: { url }, backup: { dir: join(dir, 'backups') } }));

    const result = spawnSync(process.execPath, [BIN, 'db', 'migrate', '--dry-run', '--config', configFile], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    t.is(result.status, 0, result.stderr);
    t.regex(
      result.stdout,
      /1 migration\(s\) would be applied after a verified backup named …_pre-upgrade-0\.0\.9\.dump/,
    );
    t.true(result.stdout.includes(`  ${shippedMigrations().at(-1)}\n`));
    t.regex(result.stdout, /^ {4}(CREATE|ALTER) /m);
    t.false((await appliedNames(client)).includes(shippedMigrations().at(-1)!));
  },
);

test('a labelled backup name parses back with its label, so list, retention and restore see it', (t) => {
  const name = backupFileName('invoice_loader', 'manual', new Date('2026-12-06T04:30:00Z'), 'pre-upgrade-0.1.0');
  t.is(name, 'invoice-loader_invoice_loader_manual_20261206-043000_pre-upgrade-0.1.0.dump');
  t.like(parseBackupFileName(name), { database: 'invoice_loader', type: 'manual', label: 'pre-upgrade-0.1.0' });
  t.like(parseBackupFileName('invoice-loader_invoice_loader_daily_20261206-020000.dump'), { type: 'daily' });
});
