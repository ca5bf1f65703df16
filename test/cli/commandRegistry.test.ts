import test from 'ava';
import { COMMANDS } from '../../src/cli/commandRegistry.ts';
import { BIN } from '../support/daemonProcess.ts';
import { run } from '../support/run.ts';

/**
 * The CLI loads a command's modules only when that command runs (issue 18.9: every command
 * used to load the whole program, a second per call). The registry repeats each command's
 * string and description so `--help` needs no module: they must not drift apart.
 */

test('each registry entry names its command and description exactly as the command module does', async (t) => {
  for (const entry of COMMANDS) {
    const loaded = await entry.load();
    t.is(loaded.command, entry.command);
    t.is(loaded.describe, entry.describe, `describe of ${entry.command}`);
  }
});

// Prints every module URL the process loads to stderr when it exits.
const TRACE = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(seen) + '\\n'));
`)}`;

async function loadedBy(args: string[]): Promise<{ status: number | null; stdout: string; modules: string[] }> {
  const result = await run(process.execPath, ['--import', TRACE, BIN, ...args]);
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no module trace: ${result.stderr}`);
  return {
    status: result.status,
    stdout: result.stdout,
    modules: JSON.parse(line.slice('LOADED '.length)) as string[],
  };
}

test('--help lists every command without loading any command module, the config schema or pg', async (t) => {
  const { status, stdout, modules } = await loadedBy(['--help']);
  t.is(status, 0);
  for (const entry of COMMANDS) t.true(stdout.includes(`invoice-loader ${entry.command}`), entry.command);
  t.deepEqual(
    modules.filter((url) => /\/src\/cli\/commands\/|\/node_modules\/(zod|pg|yaml|xstate|pino|fastify)\//.test(url)),
    [],
  );
});

test("a command loads its own module, not the others'", async (t) => {
  const { modules } = await loadedBy(['config', 'check', '--help']);
  const commandModules = modules.filter((url) => url.includes('/src/cli/commands/')).map((url) => url.split('/').pop());
  t.deepEqual(commandModules, ['config.ts']);
  t.false(
    modules.some((url) => /\/node_modules\/(pg|xstate|fastify|pdfjs-dist)\//.test(url)),
    'no database, actor or extraction code',
  );
});
