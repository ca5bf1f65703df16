import type { CommandModule } from 'yargs';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { describePendingMigrations, migrationState } from '../../upgrade/upgradeBackup.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

const migrateCommand: CommandModule<object, { config?: string; 'dry-run'?: boolean }> = {
  command: 'migrate',
  describe: 'apply pending database migrations (the daemon also does this at start, after a backup)',
  builder: (y) =>
    y.options({ ...configOption, 'dry-run': { type: 'boolean', describe: 'list what would change; change nothing' } }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    await exitOnFailure(async () => {
      if (argv['dry-run']) {
        const lines = await withCliDatabase(
          config,
          async (pool, info) => [
            `${info.target}:`,
            ...describePendingMigrations(await migrationState(pool), config.database.backupBeforeMigrate),
          ],
          { migrate: false },
        );
        console.log(lines.join('\n'));
        return;
      }
      const { target, appliedMigrations: applied } = await withCliDatabase(config, async (_pool, info) => info);
      console.log(
        applied.length
          ? `Applied ${applied.length} migration(s) to ${target}:\n  ${applied.join('\n  ')}`
          : `${target} is up to date.`,
      );
    });
  },
};

export const dbCommand: CommandModule = {
  command: 'db <command>',
  describe: 'database tools',
  builder: (y) => y.command(migrateCommand).demandCommand(1),
  handler: () => {},
};
