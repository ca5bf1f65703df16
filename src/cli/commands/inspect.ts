import type { CommandModule } from 'yargs';
import type { ActorNode } from '../../runtime/actorTree.ts';
import { refreshHeader, renderTree } from '../actorTreeView.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { daemonJson } from '../daemonClient.ts';
import { fetchInvoice, renderEvents } from './invoices.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

/** Read from the database, not the daemon: the history is there whether or not the daemon runs. */
const invoiceHistoryCommand: CommandModule<object, { config?: string; id: string; json?: boolean }> = {
  command: 'invoice <id>',
  describe: "one invoice's event history: seq, time, from → to, actor, reason",
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options({ ...configOption, json: { type: 'boolean', describe: 'print the events as JSON' } }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    await exitOnFailure(async () => {
      const { id, status, events } = await fetchInvoice(config, argv.id);
      if (argv.json) console.log(JSON.stringify(events, null, 2));
      else console.log(`Invoice ${id}, now ${status}\n${renderEvents(events)}`);
    });
  },
};

// `inspect` alone shows the actor tree; `inspect invoice ID` is a subcommand of it.
export const inspectCommand: CommandModule<object, { config?: string; json?: boolean; watch?: boolean }> = {
  command: 'inspect',
  describe: "show the live actor tree: states, restarts, last errors; `inspect invoice ID`: one invoice's history",
  builder: (y) =>
    y.command(invoiceHistoryCommand).options({
      ...configOption,
      json: { type: 'boolean', describe: 'print the tree (or the events) as JSON' },
      watch: { type: 'boolean', global: false, describe: 'refresh the tree every second until Ctrl+C' },
    }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    const show = async () => {
      const tree = await daemonJson<ActorNode>(config.http, '/api/actors');
      if (argv.json) console.log(JSON.stringify(tree, null, 2));
      else {
        if (argv.watch) process.stdout.write(refreshHeader(process.stdout.isTTY === true));
        console.log(renderTree(tree).join('\n'));
      }
    };
    await exitOnFailure(async () => {
      await show();
      while (argv.watch) {
        await new Promise((r) => setTimeout(r, 1000));
        await show();
      }
    });
  },
};
