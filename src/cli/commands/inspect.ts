import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import type { ActorNode } from '../../runtime/actorTree.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { daemonJson } from '../daemonClient.ts';

export function renderTree(node: ActorNode, prefix = '', last = true, root = true): string[] {
  const branch = root ? '' : last ? '└── ' : '├── ';
  const restarts = node.restarts ? `  restarts=${node.restarts}` : '';
  const error = node.lastError && node.status !== 'running' ? `  last error: ${node.lastError}` : '';
  const line = `${prefix}${branch}${node.id.padEnd(Math.max(1, 14 - prefix.length - branch.length))} ${node.status.padEnd(9)} ${node.state}${restarts}${error}`;
  const childPrefix = root ? '' : prefix + (last ? '    ' : '│   ');
  return [
    line,
    ...node.children.flatMap((child, i) => renderTree(child, childPrefix, i === node.children.length - 1, false)),
  ];
}

export const inspectCommand: CommandModule<object, { config?: string; json?: boolean; watch?: boolean }> = {
  command: 'inspect',
  describe: 'show the live actor tree: states, restarts, last errors',
  builder: (y) =>
    y.options({
      ...configOption,
      json: { type: 'boolean', describe: 'print the tree as JSON' },
      watch: { type: 'boolean', describe: 'refresh every second until Ctrl+C' },
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
