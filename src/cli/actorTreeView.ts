import type { ActorNode } from '../runtime/actorTree.ts';
import { displayWidth } from './tableLayout.ts';

/**
 * The actor tree as `inspect` prints it: one line per actor, the tree drawn on the left, then
 * the status and state columns aligned over the whole tree however long an actor's name is
 * (a fixed pad pushed the columns of `mailbox:invoices@example.com` out of line).
 */
export function renderTree(root: ActorNode): string[] {
  const rows: Array<{ name: string; node: ActorNode }> = [];
  const walk = (node: ActorNode, prefix: string, last: boolean, isRoot: boolean) => {
    rows.push({ name: `${prefix}${isRoot ? '' : last ? '└── ' : '├── '}${node.id}`, node });
    const childPrefix = isRoot ? '' : prefix + (last ? '    ' : '│   ');
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, false));
  };
  walk(root, '', true, true);
  const nameWidth = Math.max(...rows.map((row) => displayWidth(row.name)));
  const statusWidth = Math.max(...rows.map((row) => displayWidth(row.node.status)));
  return rows.map(({ name, node }) => {
    const restarts = node.restarts ? `  restarts=${node.restarts}` : '';
    const error = node.lastError && node.status !== 'running' ? `  last error: ${node.lastError}` : '';
    const notes = Object.entries(node.notes ?? {})
      .map(([key, value]) => `  ${key}=${value}`)
      .join('');
    return `${pad(name, nameWidth)}  ${pad(node.status, statusWidth)}  ${node.state}${notes}${restarts}${error}`;
  });
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * What goes before each refresh of `inspect --watch`: on a terminal, clear the screen and go
 * home; into a pipe or a file, escape codes would be garbage, so a timestamped separator.
 */
export function refreshHeader(isTerminal: boolean, now: Date = new Date()): string {
  return isTerminal ? '\x1b[2J\x1b[H' : `--- ${now.toISOString()} ---\n`;
}
