import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { VERSION } from '../runtime/version.ts';
import { backupCommand } from './commands/backup.ts';
import { configCommand } from './commands/config.ts';
import { approveCommand, rejectCommand } from './commands/decisions.ts';
import { dlqCommand } from './commands/dlq.ts';
import { dbCommand } from './commands/db.ts';
import { extractCommand } from './commands/extract.ts';
import { healthCommand } from './commands/health.ts';
import { importCommand } from './commands/import.ts';
import { inspectCommand } from './commands/inspect.ts';
import { invoicesCommand } from './commands/invoices.ts';
import { logsCommand } from './commands/logs.ts';
import { restoreCommand } from './commands/restore.ts';
import { runCommand } from './commands/run.ts';
import { tokensCommand } from './commands/tokens.ts';
import { usersCommand } from './commands/users.ts';

await yargs(hideBin(process.argv))
  .scriptName('invoice-loader')
  .version(VERSION)
  .command(runCommand)
  .command(extractCommand)
  .command(healthCommand)
  .command(inspectCommand)
  .command(importCommand)
  .command(invoicesCommand)
  .command(approveCommand)
  .command(rejectCommand)
  .command(dlqCommand)
  .command(logsCommand)
  .command(backupCommand)
  .command(restoreCommand)
  .command(configCommand)
  .command(dbCommand)
  .command(usersCommand)
  .command(tokensCommand)
  .demandCommand(1, 'Name a command; `invoice-loader --help` lists them.')
  .strict()
  .help()
  .parseAsync();
