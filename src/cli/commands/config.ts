import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { redactConfig } from '../../config/redact.ts';
import { configOption } from '../configOption.ts';

const check: CommandModule<object, { config?: string; print?: boolean }> = {
  command: 'check',
  describe: 'validate the configuration; print every problem with key, source and reason',
  builder: (y) =>
    y.options({
      ...configOption,
      print: { type: 'boolean', describe: 'print the effective configuration (secrets redacted)' },
    }),
  handler: (argv) => {
    try {
      const { config, file } = loadConfig({ file: argv.config });
      console.log(`Configuration OK: defaults${file ? ` < ${file}` : ''} < INVOICE_LOADER_* environment`);
      if (argv.print) console.log(stringify(redactConfig(config)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      process.exitCode = 1;
    }
  },
};

export const configCommand: CommandModule = {
  command: 'config <command>',
  describe: 'configuration tools',
  builder: (y) => y.command(check).demandCommand(1),
  handler: () => {},
};
