import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import type { ActorNode } from '../../runtime/actorTree.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { daemonJson } from '../daemonClient.ts';
import { fetchInvoice, renderEvents } from './invoices.ts';

export function renderTree(node: ActorNode, prefix = '', last = true, root = true): string[] {
  const branch = root ? '' : last ? '└── ' : '├── ';
  const restarts = node.restarts ? `  restarts=${node.restarts}` : '';
  const error = node.lastError && node.status !== 'running' ? `  last error: ${node.lastError}` : '';
  const notes = Object.entries(node.notes ?? {})
    .map(([key, value]) => `  ${key}=${value}`)
    .join('');
  const line = `${prefix}${branch}${node.id.padEnd(Math.max(1, 14 - prefix.length - branch.length))} ${node.status.padEnd(9)} ${node.state}${notes}${restarts}${error}`;
  const childPrefix = root ? '' : prefix + (last ? '    ' : '│   ');
  return [
    line,
    ...node.children.flatMap((child, i) => renderTree(child, childPrefix, i === node.children.length - 1, false)),
  ];
}

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
    try {
      const { id, status, events } = await fetchInvoice(config, argv.id);
      if (argv.json) console.log(JSON.stringify(events, null, 2));
      else console.log(`Invoice ${id}, now ${status}\n${renderEvents(events)}`);
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
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
        if (argv.watch) process.stdout.write('\x1b[2J\x1b[H');
        console.log(renderTree(tree).join('\n'));
      }
    };
    try {
      await show();
      while (argv.watch) {
        await new Promise((r) => setTimeout(r, 1000));
        await show();
      }
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};
