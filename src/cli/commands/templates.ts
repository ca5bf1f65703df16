import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { shippedTemplateDir } from '../../extract/shippedTemplates.ts';
import { learnFromInvoice } from '../../extract/templates/learnFromInvoice.ts';
import { LoaderError } from '../../errors.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

/** `invoice-loader templates learn ID`: a corrected invoice teaches its supplier's layout. */
const learnCommand: CommandModule<
  object,
  { config?: string; id: string; dir?: string; replace?: boolean; json?: boolean }
> = {
  command: 'learn <id>',
  describe: "write a supplier template from a corrected invoice, so that supplier's next invoices need no correction",
  builder: (y) =>
    y
      .positional('id', {
        type: 'string',
        demandOption: true,
        describe: 'the corrected invoice (from `invoices list`)',
      })
      .options({
        ...configOption,
        dir: { type: 'string', describe: 'where to write it (default: the first of extraction.templateDirs)' },
        replace: { type: 'boolean', describe: 'overwrite a template learned before for this supplier' },
        json: { type: 'boolean', describe: 'print the outcome as JSON' },
      }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    await exitOnFailure(async () => {
      const dir = argv.dir ?? config.extraction.templateDirs[0];
      if (!dir) {
        throw new LoaderError(
          'TEMPLATE_DIR_MISSING',
          'Where should learned templates go? Set extraction.templateDirs (for example [./templates]) so the daemon reads them too, or give --dir.',
        );
      }
      const outcome = await withCliDatabase(config, (pool) =>
        learnFromInvoice(pool, argv.id, {
          dir,
          templateDirs: [shippedTemplateDir, ...config.extraction.templateDirs.map((d) => resolve(d))],
          replace: argv.replace,
        }),
      );
      if (argv.json) return console.log(JSON.stringify(outcome, null, 2));
      console.log(`Learned template ${outcome.id}: ${outcome.file}`);
      for (const line of outcome.learned) console.log(`  learned   ${line}`);
      for (const skip of outcome.skipped) console.log(`  not       ${skip.what}: ${skip.why}`);
      console.log(
        outcome.stillDifferent.length === 0
          ? 'Read back: the template reads this invoice with every corrected field and line as corrected.'
          : `Read back: it still reads ${outcome.stillDifferent.join(', ')} differently; edit the file or correct the next invoice and learn again.`,
      );
      if (!config.extraction.templateDirs.some((d) => resolve(d) === resolve(dir)))
        console.log(`Note: ${dir} is not in extraction.templateDirs, so the daemon does not read it yet.`);
    });
  },
};

export const templatesCommand: CommandModule = {
  command: 'templates <command>',
  describe: 'supplier extraction templates',
  builder: (y) => y.command(learnCommand).demandCommand(1),
  handler: () => {},
};
