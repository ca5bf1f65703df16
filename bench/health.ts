/**
 * bench/health: `GET /health` latency of the real daemon under a steady 200 requests/s, the
 * rate a few monitors and load balancers probing at once might reach. Target: p99 < 20 ms.
 *
 *   npm run bench:health -- [--rate 200] [--seconds 30]
 *
 * The daemon is `bin/invoice-loader.js run` with its default config (open health, the
 * monitor, the alerter's checks, info logging) on a scratch database (TEST_DATABASE_URL, else
 * the local server on 127.0.0.1:5432, else an embedded one), idle otherwise. The load comes
 * from another process (bench/healthLoad.ts), open loop: each request is due at its time
 * whatever the earlier ones did, and its latency counts from then, so queueing is included.
 * `/health/live` (a constant answer) is measured the same way as the floor the machine sets.
 * To see where the daemon spends its time: BENCH_DAEMON_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR".
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { createScratchDatabase } from '../test/support/database.ts';
import { DaemonProcess, disposeDaemon, prepareDaemonFolder } from '../test/support/daemonProcess.ts';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '30' } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const TARGET_P99_MS = 20;
const loadGenerator = fileURLToPath(new URL('healthLoad.ts', import.meta.url));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function load(url: string, rate: number, seconds: number) {
  const { stdout } = await promisify(execFile)(process.execPath, [loadGenerator, url, String(rate), String(seconds)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as {
    latencies: number[];
    errors: number;
    statuses: Record<string, number>;
    seconds: number;
  };
}

const scratch = await createScratchDatabase('bench_health');
const folder = await prepareDaemonFolder({
  databaseUrl: scratch.url,
  config: { logging: { level: 'info' }, extraction: { workers: 1 } },
});
const daemon = new DaemonProcess(
  folder.dir,
  folder.configFile,
  folder.port,
  process.env.BENCH_DAEMON_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_DAEMON_NODE_OPTIONS } : {},
);
try {
  await daemon.waitForStatus('/health/ready', 200);
  await load(daemon.url('/health'), 50, 2); // warm-up: JIT, keep-alive sockets
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`bench/health: ${rate} requests/s for ${seconds} s per path, open loop from another process`);
  const measured: Record<string, { p99: number; errors: number }> = {};
  // /health/live answers a constant: the floor this machine and fastify set, beside which /health is read.
  for (const path of ['/health', '/health/live']) {
    const result = await load(daemon.url(path), rate, seconds);
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    measured[path] = { p99, errors: result.errors };
    const verdict =
      path === '/health'
        ? `   target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`
        : '   (floor)';
    console.log(
      `  GET ${path.padEnd(12)} p50 ${fmt(percentile(sorted, 50))}  p99 ${fmt(p99)}  max ${fmt(sorted.at(-1)!)}${verdict}`,
    );
    console.log(
      `  ${''.padEnd(16)} ${sorted.length} answered (${Object.entries(result.statuses)
        .map(([status, n]) => `${n}× ${status}`)
        .join(', ')}), ${result.errors} errors, ${(sorted.length / result.seconds).toFixed(1)} requests/s achieved`,
    );
  }
  const { p99, errors } = measured['/health']!;
  process.exitCode = p99 < TARGET_P99_MS && errors === 0 ? 0 : 1;
} finally {
  await disposeDaemon(daemon);
  await scratch.drop();
}
