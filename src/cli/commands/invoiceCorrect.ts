import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { createApprovalGate } from '../../approval/afterValidation.ts';
import { correctionInvalid, parseCorrectionRequest } from '../../approval/correctionRequest.ts';
import { correctInvoice } from '../../approval/corrections.ts';
import { cliIdentity } from '../../auth/identity.ts';
import { errorMessage } from '../../errors.ts';
import { createGatewayClient } from '../../nex/gatewayClient.ts';
import { validateInvoice } from '../../validate/validateInvoice.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

/**
 * `invoice-loader invoices correct ID --set total_gross=183.43 --lines-file lines.json`: the
 * correction of `PATCH /api/invoices/:id` from the server's command line, as `cli:<OS user>`
 * (`--as` is a label only), validated again and passed to the approval rules in the same commit.
 */
type CorrectArgs = {
  config?: string;
  id: string;
  set?: string[];
  'lines-file'?: string;
  reason?: string;
  as?: string;
  json?: boolean;
};

export const correctCommand: CommandModule<object, CorrectArgs> = {
  command: 'correct <id>',
  describe: 'correct header fields and/or the lines of a needs_review or validated invoice; it is validated again',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options({
        ...configOption,
        set: {
          type: 'string',
          array: true,
          describe: 'FIELD=VALUE, repeatable (total_gross=183.43, supplier_iban=SK31…; FIELD= clears it)',
        },
        'lines-file': { type: 'string', describe: 'a JSON file with the full lines array, replacing the lines' },
        reason: { type: 'string', describe: 'why (recorded in the history)' },
        as: { type: 'string', describe: 'a label recorded beside cli:<OS user> in the history' },
        json: { type: 'boolean', describe: 'print the outcome as JSON' },
      }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    try {
      // Wrong arguments are reported before any database is started or reached.
      const request = parseCorrectionRequest({
        ...(argv.set?.length ? { header: headerFromSets(argv.set) } : {}),
        ...(argv['lines-file'] ? { lines: readLines(argv['lines-file']) } : {}),
        reason: argv.reason ?? null,
      });
      const gateway = config.nex.mode === 'api' ? createGatewayClient(config.nex) : undefined;
      const approval = createApprovalGate({ gateway, nex: config.nex, rules: config.approval, actor: 'rules@cli' });
      const outcome = await withCliDatabase(config, (pool) =>
        correctInvoice(
          { pool, validate: (invoice) => validateInvoice(invoice), approval },
          argv.id,
          cliIdentity(argv.as),
          request,
        ),
      );
      console.log(argv.json ? JSON.stringify(outcome, null, 2) : outcome.message);
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};

/** `--set field=value` pairs as the header of a correction; vat_breakdown takes its JSON array. */
function headerFromSets(sets: string[]): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at < 1) throw correctionInvalid('--set', `"${set}" is not FIELD=VALUE.`);
    const [field, value] = [set.slice(0, at).trim(), set.slice(at + 1)];
    header[field] = field === 'vat_breakdown' ? parseJson('--set vat_breakdown', value) : value === '' ? null : value;
  }
  return header;
}

function readLines(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw correctionInvalid('--lines-file', `cannot be read: ${errorMessage(error)}.`);
  }
  return parseJson('--lines-file', text);
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw correctionInvalid(what, `is not JSON: ${errorMessage(error)}.`);
  }
}
