import type { CommandModule } from 'yargs';
import { approveInvoice, rejectInvoice, type Decision } from '../../approval/decisions.ts';
import { errorMessage } from '../../errors.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';

/**
 * `invoice-loader approve ID --as NAME` and `reject ID --as NAME --reason R`: a person's
 * decision, written straight to the database (the daemon need not run; a running one posts an
 * approved invoice at its next look, nex.pollMs). Repeating a decision is harmless and says so.
 */
type DecisionArgs = { config?: string; id: string; as: string; reason?: string; json?: boolean };

const decisionOptions = {
  ...configOption,
  as: { type: 'string', demandOption: true, describe: 'who decides (recorded in the history)' },
  json: { type: 'boolean', describe: 'print the outcome as JSON' },
} as const;

async function decide(argv: DecisionArgs, run: Parameters<typeof withCliDatabase<Decision>>[1]): Promise<void> {
  const { config } = loadConfigOrExit(argv.config);
  try {
    const decision = await withCliDatabase(config, run);
    console.log(argv.json ? JSON.stringify(decision, null, 2) : decision.message);
  } catch (error) {
    console.error(errorMessage(error));
    process.exitCode = 1;
  }
}

export const approveCommand: CommandModule<object, DecisionArgs> = {
  command: 'approve <id>',
  describe: 'approve a validated invoice for posting to NEX (two different people above approval.doubleApprovalAbove)',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options(decisionOptions),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    await decide(argv, (pool) => approveInvoice(pool, argv.id, { name: argv.as, via: 'cli' }, config.approval));
  },
};

export const rejectCommand: CommandModule<object, DecisionArgs> = {
  command: 'reject <id>',
  describe: 'reject an invoice that must not be posted (validated, needs_review or unreadable), with the reason',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options({
        ...decisionOptions,
        reason: { type: 'string', demandOption: true, describe: 'why (recorded in the history)' },
      }),
  handler: async (argv) => {
    await decide(argv, (pool) => rejectInvoice(pool, argv.id, { name: argv.as, via: 'cli' }, argv.reason ?? ''));
  },
};
