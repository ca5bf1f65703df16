import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { VERSION } from '../runtime/version.ts';
import { COMMANDS, toYargs } from './commandRegistry.ts';

// Commands come from the registry, which loads a command's modules only when it runs (see there).
const cli = yargs(hideBin(process.argv)).scriptName('invoice-loader').version(VERSION);
for (const entry of COMMANDS) cli.command(toYargs(entry));
await cli.demandCommand(1, 'Name a command; `invoice-loader --help` lists them.').strict().help().parseAsync();
