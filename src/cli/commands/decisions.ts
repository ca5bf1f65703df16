import type { CommandModule } from 'yargs';
import { approveInvoice, rejectInvoice, type Decision } from '../../approval/decisions.ts';
import { cliIdentity } from '../../auth/identity.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

/**
 * `invoice-loader approve ID` and `reject ID --reason R`: a decision written straight to the
 * database (the daemon need not run; a running one posts an approved invoice at its next look,
 * nex.pollMs). The CLI on the server acts as `cli:<OS user>`, who has the database anyway;
 * `--as NAME` is only a label in the history, so two approvals need two OS users or a person
 * in the console. Repeating a decision is harmless and says so.
 */
type DecisionArgs = { config?: string; id: string; as?: string; reason?: string; json?: boolean };

const decisionOptions = {
  ...configOption,
  as: { type: 'string', describe: 'a label recorded beside cli:<OS user> in the history' },
  json: { type: 'boolean', describe: 'print the outcome as JSON' },
} as const;

async function decide(argv: DecisionArgs, run: Parameters<typeof withCliDatabase<Decision>>[1]): Promise<void> {
  const { config } = loadConfigOrExit(argv.config);
  await exitOnFailure(async () => {
    const decision = await withCliDatabase(config, run);
    console.log(argv.json ? JSON.stringify(decision, null, 2) : decision.message);
  });
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
    await decide(argv, (pool) => approveInvoice(pool, argv.id, cliIdentity(argv.as), config.approval));
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
    await decide(argv, (pool) => rejectInvoice(pool, argv.id, cliIdentity(argv.as), argv.reason ?? ''));
  },
};
