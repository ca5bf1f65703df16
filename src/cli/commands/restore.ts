import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { toolsFor } from '../../backup/backupJobs.ts';
import { backupInfo, restoreBackup } from '../../backup/restore.ts';
import { describeTarget } from '../../db/target.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|a|áno|ano)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const info: CommandModule<object, { file: string }> = {
  command: 'info <file>',
  describe: "a backup's manifest: database, versions, size, row counts, checksum",
  builder: (y) => y.positional('file', { type: 'string', demandOption: true }),
  handler: async (argv) => {
    await exitOnFailure(async () => {
      console.log(JSON.stringify(await backupInfo(resolve(argv.file)), null, 2));
    });
  },
};

export const restoreCommand: CommandModule<object, { config?: string; file?: string; drop?: boolean; yes?: boolean }> =
  {
    command: 'restore [file]',
    describe: 'restore a backup into the configured database (verifies it first; refuses while a daemon runs on it)',
    builder: (y) =>
      y
        .command(info)
        .positional('file', { type: 'string', describe: 'the .dump file' })
        .options({
          ...configOption,
          drop: { type: 'boolean', describe: 'drop and recreate the database first (otherwise it must be empty)' },
          yes: { type: 'boolean', describe: 'do not ask for confirmation' },
        }),
    handler: async (argv) => {
      if (!argv.file) {
        console.error('Name the backup file to restore: invoice-loader restore FILE [--drop] [--yes]');
        process.exitCode = 1;
        return;
      }
      const { config } = loadConfigOrExit(argv.config);
      const file = resolve(argv.file);
      await exitOnFailure(async () => {
        await withCliDatabase(config, async (pool, db) => {
          await pool.end(); // restore needs the database to itself
          const question = `Restore ${file} into ${db.target}${argv.drop ? ', DROPPING it first' : ''}?`;
          if (!argv.yes && !(await confirmed(question))) {
            console.error(
              process.stdin.isTTY
                ? 'Not restored.'
                : 'Not restored: add --yes to restore without a terminal to confirm on.',
            );
            process.exitCode = 1;
            return;
          }
          const tools = await toolsFor(config.backup, db.url);
          const result = await restoreBackup(file, { url: db.url, drop: argv.drop === true, tools });
          console.log(
            `Restored ${file} into ${describeTarget(db.url)} in ${Math.round(result.durationMs)} ms; ${result.tables.length} tables match the manifest.`,
          );
        });
      });
    },
  };
