import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import type { ExtractionMode } from '../../extract/extractDocument.ts';
import { startStandalonePool } from '../../extract/extractionPool.ts';
import { shippedTemplateDir } from '../../extract/shippedTemplates.ts';
import { sniffMediaType } from '../../intake/mediaType.ts';
import { validateInvoice } from '../../validate/validateInvoice.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

/** One document → the normalized invoice, as the daemon would read it; nothing is stored. */
export const extractCommand: CommandModule<
  object,
  { config?: string; file: string; mode: ExtractionMode; json?: boolean }
> = {
  command: 'extract <file>',
  describe: 'read one document (PDF, UBL, CII, ISDOC, Factur-X) and print the normalized invoice',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true, describe: 'the document' }).options({
      ...configOption,
      mode: {
        choices: ['auto', 'structured', 'text'] as const,
        default: 'auto' as const,
        describe:
          'auto: embedded/structured XML when present, else PDF text; structured: XML only; text: PDF text only',
      },
      json: { type: 'boolean', describe: 'print the normalized invoice JSON (invoice-json.md) only' },
    }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    let bytes: Buffer;
    try {
      bytes = await readFile(resolve(argv.file));
    } catch (error) {
      console.error(`Cannot read ${argv.file}: ${errorMessage(error)}`);
      process.exitCode = 1;
      return;
    }
    // On a worker, as in the daemon: the same time and memory limits, and pdf2json's noise kept off stdout.
    const { pool, stop } = await startStandalonePool({
      ...config.extraction,
      workers: 1,
      templateDirs: [shippedTemplateDir, ...config.extraction.templateDirs],
      // As in the daemon: our own company is never read as the supplier.
      ownCompany: config.customer,
    });
    const mediaType = sniffMediaType(bytes);
    const outcome = await pool.extract(bytes, mediaType, argv.mode).finally(stop);
    if (outcome.kind === 'unreadable') {
      if (argv.json) console.log(JSON.stringify({ unreadable: outcome.reason }));
      console.error(`${argv.file} cannot be read: ${outcome.reason}`);
      process.exitCode = 1;
      return;
    }
    if (argv.json) {
      console.log(JSON.stringify(outcome.invoice, null, 2));
      return;
    }
    const invoice = outcome.invoice;
    const source = invoice.source.template
      ? `${invoice.source.format}, template ${invoice.source.template}`
      : invoice.source.format;
    console.log(`${argv.file} (${mediaType}) read as ${source}`);
    console.log(
      `  ${invoice.document_type ?? 'document'} ${invoice.invoice_number ?? '(no number)'} from ${invoice.supplier.name ?? '(no supplier)'} ${invoice.supplier.ico ? `IČO ${invoice.supplier.ico}` : ''}`,
    );
    console.log(
      `  issued ${invoice.issue_date ?? '?'}, due ${invoice.due_date ?? '?'}, ${invoice.total_gross ?? '?'} ${invoice.currency ?? ''} gross, ${invoice.lines.length} lines`,
    );
    for (const note of invoice.notes) console.log(`  note: ${note}`);
    const validation = validateInvoice(invoice);
    for (const problem of validation.problems)
      console.log(`  ${problem.severity}: ${problem.field}: ${problem.message}`);
    console.log(validation.valid ? '  valid' : '  needs review');
  },
};
