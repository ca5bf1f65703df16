/**
 * bench/cli: how long a CLI command takes from the shell, start-up included (issue 18.9).
 *
 *   node bench/cli.ts [--runs 10]        (npm run bench:cli)
 *
 * Starts the daemon as a child process on a scratch database (TEST_DATABASE_URL, else the local
 * server on 127.0.0.1:5432, else an embedded one; see test/support/database.ts) with a few
 * staged invoices, then runs each command --runs times after one warm-up run (which fills
 * Node's compile cache, as any earlier call on the machine would), and prints the median and
 * 90th percentile of the wall time beside the target. The daemon and the database are removed
 * at the end, also after a failure. Exit 1 when a median misses its target.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { receiveDocument } from '../src/db/invoiceStore.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { DaemonProcess, disposeDaemon, prepareDaemonFolder, BIN } from '../test/support/daemonProcess.ts';
import { pdfBytes } from '../test/support/fixtures.ts';
import { run } from '../test/support/run.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);

/** The commands and their targets in milliseconds (issue 18.9, on the 2-core reference machine). */
const COMMANDS: Array<{ args: string[]; targetMs: number }> = [
  { args: ['--help'], targetMs: 300 },
  { args: ['health'], targetMs: 300 },
  { args: ['invoices', 'list'], targetMs: 600 },
];

const scratch = await createScratchDatabase('bench_cli');
let daemon: DaemonProcess | undefined;
let missed = 0;
try {
  const folder = await prepareDaemonFolder({ databaseUrl: scratch.url, config: { logging: { level: 'info' } } });
  daemon = new DaemonProcess(folder.dir, folder.configFile, folder.port, {});
  await daemon.waitForStatus('/health/ready', 200, 120_000);
  await stageInvoices(scratch.url, 20);

  console.log(`${runs} runs each (after one warm-up), wall time of \`node bin/invoice-loader.js …\`:`);
  console.log(`${'command'.padEnd(16)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'target'.padStart(8)}`);
  // Node starting and doing nothing: what the machine's load alone costs every command.
  const bare = await timeRuns(['-e', '']);
  console.log(`${'(node -e "")'.padEnd(16)} ${ms(percentile(bare, 0.5))} ${ms(percentile(bare, 0.9))}`);
  for (const { args, targetMs } of COMMANDS) {
    const times = await timeRuns([BIN, ...args, '--config', folder.configFile], folder.dir);
    const median = percentile(times, 0.5);
    const ok = median <= targetMs;
    if (!ok) missed++;
    console.log(
      `${args.join(' ').padEnd(16)} ${ms(median)} ${ms(percentile(times, 0.9))} ${ms(targetMs)}  ${ok ? 'ok' : 'OVER'}`,
    );
  }
} finally {
  if (daemon) await disposeDaemon(daemon);
  await scratch.drop();
}
process.exitCode = missed > 0 ? 1 : 0;

/** Wall times of `runs` runs of node with `args`, after one warm-up run. */
async function timeRuns(args: string[], cwd?: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const result = await run(process.execPath, args, { cwd });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i > 0) times.push(elapsed);
  }
  return times;
}

/** A few invoices for `invoices list` to show (the running daemon extracts them meanwhile). */
async function stageInvoices(url: string, count: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    for (let i = 0; i < count; i++) {
      await receiveDocument(
        pool,
        {
          bytes: pdfBytes(`bench-cli-${i}`),
          filename: `bench-${i}.pdf`,
          mediaType: 'application/pdf',
          channel: 'import',
        },
        'bench',
      );
    }
  } finally {
    await pool.end();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`.padStart(8);
}
