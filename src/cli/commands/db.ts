import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

const migrateCommand: CommandModule<object, { config?: string }> = {
  command: 'migrate',
  describe: 'apply pending database migrations (the daemon also does this at start)',
  builder: (y) => y.options(configOption),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    try {
      const { target, appliedMigrations: applied } = await withCliDatabase(config, async (_pool, info) => info);
      console.log(
        applied.length
          ? `Applied ${applied.length} migration(s) to ${target}:\n  ${applied.join('\n  ')}`
          : `${target} is up to date.`,
      );
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};

export const dbCommand: CommandModule = {
  command: 'db <command>',
  describe: 'database tools',
  builder: (y) => y.command(migrateCommand).demandCommand(1),
  handler: () => {},
};
