import pg from 'pg';
import type { CommandModule } from 'yargs';
import { startEmbeddedPostgres } from '../../db/embedded.ts';
import { migrate } from '../../db/migrate.ts';
import { describeTarget, explainConnectionError } from '../../db/target.ts';
import { errorMessage } from '../../errors.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

const migrateCommand: CommandModule<object, { config?: string }> = {
  command: 'migrate',
  describe: 'apply pending database migrations (the daemon also does this at start)',
  builder: (y) => y.options(configOption),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    const embedded = config.database.url ? undefined : await startEmbeddedPostgres(config.database.embedded);
    const url = embedded?.url ?? config.database.url;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: config.database.connectTimeoutMs });
    try {
      await client.connect().catch((error: unknown) => {
        throw explainConnectionError(error, url);
      });
      const applied = await migrate(client);
      console.log(
        applied.length
          ? `Applied ${applied.length} migration(s) to ${describeTarget(url)}:\n  ${applied.join('\n  ')}`
          : `${describeTarget(url)} is up to date.`,
      );
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    } finally {
      await client.end().catch(() => undefined);
      await embedded?.stop();
    }
  },
};

export const dbCommand: CommandModule = {
  command: 'db <command>',
  describe: 'database tools',
  builder: (y) => y.command(migrateCommand).demandCommand(1),
  handler: () => {},
};
