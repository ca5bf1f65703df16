import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { renderTree } from '../../src/cli/actorTreeView.ts';
import { fitColumns, FittingTable, outputWidth } from '../../src/cli/tableLayout.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { BIN } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { run } from '../support/run.ts';
import { cleanEnv, tempDir } from '../support/tempDir.ts';

/**
 * What the CLI prints for a person (issue 18.8): tables fit the terminal, `inspect` keeps its
 * columns aligned for long actor names, and `inspect --watch` writes no escape codes into a
 * pipe. The CLI runs as a child process, without a terminal (a pipe) and with a pseudo-terminal
 * of a known width (util-linux `script`).
 */

const node = (id: string, status: string, state: string, children: ActorNode[] = []): ActorNode => ({
  id,
  kind: children.length ? 'supervisor' : 'worker',
  state,
  status,
  restarts: 0,
  since: null,
  lastError: null,
  children,
});

const TREE = node('root', 'running', 'supervising', [
  node('database', 'running', 'connected'),
  node('intake', 'running', 'supervising', [
    node('mailbox:faktury-dodavatelov@velmi-dlha-domena.example.com', 'backoff', 'waiting'),
    node('dropFolder', 'running', 'watching'),
  ]),
  node('http', 'running', 'listening'),
]);

/** Where each line's status column starts (the status is the first word after the name). */
function statusColumns(lines: string[], tree: ActorNode): number[] {
  const statuses = new Map<string, string>();
  const collect = (n: ActorNode) => (statuses.set(n.id, n.status), n.children.forEach(collect));
  collect(tree);
  return lines.map((line) => {
    const id = [...statuses.keys()].filter((name) => line.includes(name)).sort((a, b) => b.length - a.length)[0]!;
    return line.indexOf(statuses.get(id)!, line.indexOf(id) + id.length);
  });
}

test('inspect: the status and state columns line up over the whole tree, however long an actor name is', (t) => {
  const lines = renderTree(TREE);
  t.is(lines.length, 6);
  t.is(new Set(statusColumns(lines, TREE)).size, 1, lines.join('\n'));
  t.regex(lines[3]!, /│ {3}├── mailbox:faktury-dodavatelov@velmi-dlha-domena\.example\.com {2}backoff {2}waiting$/);
});

test('table columns: natural widths when they fit, else the wide ones give and a kept column stays whole', (t) => {
  t.deepEqual(fitColumns([10, 20, 30], 100), [10, 20, 30]);
  const widths = fitColumns([38, 14, 60, 50], 100, [true, false, false, false]);
  t.is(widths[0], 38, 'the kept id column');
  t.is(widths[1], 14, 'a short column stays whole');
  t.true(widths.reduce((a, b) => a + b, 0) + 5 <= 100);
});

test('a table is never wider than asked, and shows every row', (t) => {
  const table = new FittingTable(['id', 'status', 'reason'], { width: 70 });
  table.push(['7d3c2f1e-1111-4222-8333-444455556666', 'needs_review', 'word '.repeat(40).trim()]);
  const lines = table.toString().split('\n');
  t.true(Math.max(...lines.map((line) => [...line].length)) <= 70, lines.join('\n'));
  t.true(
    lines.some((line) => line.includes('7d3c2f1e-1111-4222-8333-444455556666')),
    'the id is not cut',
  );
});

test('the width is COLUMNS, else the terminal, else unlimited for a pipe', (t) => {
  t.is(outputWidth({ isTTY: true, columns: 90 }, { COLUMNS: '70' }), 70);
  t.is(outputWidth({ isTTY: true, columns: 90 }, {}), 90);
  t.is(outputWidth({ isTTY: false }, {}), Number.POSITIVE_INFINITY);
});

const LONG_FILE = `dodavatel-${'velmi-dlhy-nazov-suboru-'.repeat(4)}faktura-2026-11.pdf`;

async function listSetUp(t: ExecutionContext) {
  const { url, pool } = await migratedDatabase(t);
  for (let i = 0; i < 3; i++) {
    await receiveDocument(
      pool,
      { bytes: pdfBytes(`wide-${i}`), filename: `${i}-${LONG_FILE}`, mediaType: 'application/pdf', channel: 'import' },
      'test',
    );
  }
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, `database:\n  url: ${JSON.stringify(url)}\n`);
  return config;
}

const width = (text: string) =>
  Math.max(
    ...text
      .trimEnd()
      .split('\n')
      .map((line) => [...line].length),
  );

test('CLI invoices list: COLUMNS=80 fits 80 columns; into a pipe one row per line', async (t) => {
  const config = await listSetUp(t);
  const narrow = await run(process.execPath, [BIN, 'invoices', 'list', '--config', config], {
    env: cleanEnv({ COLUMNS: '80' }),
  });
  t.is(narrow.status, 0, narrow.stderr);
  t.true(width(narrow.stdout) <= 80, narrow.stdout);

  const piped = await run(process.execPath, [BIN, 'invoices', 'list', '--config', config], { env: cleanEnv() });
  t.is(piped.status, 0, piped.stderr);
  const rows = piped.stdout.split('\n').filter((line) => line.includes(LONG_FILE));
  t.is(rows.length, 3, 'each invoice on one line, its file name whole');
  t.false(piped.stdout.includes('\x1b['), 'no escape codes into a pipe');
});

/** Runs the CLI on a pseudo-terminal `columns` wide; returns what the terminal showed. */
async function onTerminal(args: string[], columns: number) {
  return run('script', ['-qefc', terminalCommand(args, columns), '/dev/null'], { env: cleanEnv({ TERM: 'xterm' }) });
}

function terminalCommand(args: string[], columns: number): string {
  return `stty cols ${columns} rows 50; exec ${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')}`;
}

/** Runs a program that does not end by itself until its output satisfies `enough` (or 90 s); then stops it. */
function untilOutput(command: string, args: string[], enough: (output: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: cleanEnv({ TERM: 'xterm' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const stop = () => child.kill('SIGKILL');
    const timer = setTimeout(stop, 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (enough(output)) stop();
    });
    child.once('close', () => (clearTimeout(timer), resolve(output)));
  });
}

test('CLI invoices list on a 100-column terminal fits it, the status whole', async (t) => {
  const config = await listSetUp(t);
  const shown = await onTerminal(['invoices', 'list', '--config', config], 100);
  t.is(shown.status, 0, shown.stderr + shown.stdout);
  t.true(shown.stdout.includes('received'), shown.stdout);
  t.true(width(shown.stdout.replaceAll('\r', '')) <= 100, shown.stdout);
});

test('CLI inspect --watch: escape codes only on a terminal; a pipe gets separators and aligned trees', async (t) => {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(TREE));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, `http:\n  port: ${port}\n  token: test-token-0123456789\n`);

  // --watch never ends by itself: it is stopped once it has refreshed twice.
  const piped = await untilOutput(process.execPath, [BIN, 'inspect', '--watch', '--config', config], (out) =>
    /(^--- .* ---$[^]*){2}/m.test(out),
  );
  t.false(piped.includes('\x1b['), JSON.stringify(piped.slice(0, 300)));
  t.regex(piped, /^--- \d{4}-\d\d-\d\dT[\d:.]+Z ---$/m);
  const firstTree = piped
    .split(/^--- .* ---$/m)[1]!
    .trim()
    .split('\n');
  t.is(new Set(statusColumns(firstTree, TREE)).size, 1, firstTree.join('\n'));

  const terminal = ['-qefc', terminalCommand(['inspect', '--watch', '--config', config], 100), '/dev/null'];
  const shown = await untilOutput('script', terminal, (out) => out.includes('http'));
  t.true(shown.includes('\x1b[2J'), 'a terminal is cleared before each refresh');
});
