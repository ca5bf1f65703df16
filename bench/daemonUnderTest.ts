/**
 * The real daemon for the footprint and soak benchmarks: started with a config on a scratch
 * database, fed through the drop folder and HTTP, and read from /proc (resident memory,
 * threads, CPU time) and from its database (how many invoices are through the pipeline).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { freePort } from '../src/runtime/freePort.ts';
import { DaemonProcess, disposeDaemon, TOKEN } from '../test/support/daemonProcess.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import type { BenchDocument } from './benchDocuments.ts';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface ProcessSample {
  rssMb: number;
  threads: number;
}

export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: field('VmRSS') / 1024, threads: field('Threads') };
}

/** CPU time (user + system) of the whole process so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

// Everything before these is still in the pipeline (src/invoice/status.ts's active statuses, and posting).
const IN_FLIGHT = ['received', 'extracting', 'extracted', 'validating', 'approved', 'posting'];

export async function startBenchDaemon(config: Record<string, unknown>) {
  const scratch = await createScratchDatabase('bench');
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-bench-'));
  const port = await freePort();
  const configFile = join(dir, 'config.yaml');
  // The product's defaults (one extraction thread per core, its poll and ping intervals), on the
  // scratch database; only the drop folder is told not to wait for files to settle, because
  // they are moved in whole.
  writeFileSync(
    configFile,
    stringify({
      database: { url: scratch.url },
      // The benches push thousands of uploads a minute through one token: far past the default limit.
      http: { port, token: TOKEN, uploadRateLimit: { max: 1_000_000, windowMs: 60_000 } },
      logging: { dir: './logs', console: 'json', level: 'warn' },
      intake: { dropFolder: { stableMs: 0 } },
      ...config,
    }),
  );
  const staging = join(dir, 'staging');
  mkdirSync(staging);
  const daemon = new DaemonProcess(dir, configFile, port, {});
  const db = new pg.Pool({ connectionString: scratch.url, max: 2 });
  await daemon.waitForStatus('/health/ready', 200, 120_000);
  const pid = daemon.child.pid!;
  let sent = 0;
  return {
    daemon,
    /** The scratch database, for a bench's own queries. */
    db,
    pid,
    sample: () => sampleProcess(pid),
    cpuMs: () => cpuMs(pid),
    /** Half of the documents through the drop folder, half as HTTP uploads (JSON, as n8n sends them). */
    async submit(documents: BenchDocument[]): Promise<void> {
      const uploads: Promise<void>[] = [];
      for (const doc of documents) {
        if (sent++ % 2 === 0) {
          writeFileSync(join(staging, doc.name), doc.bytes);
          renameSync(join(staging, doc.name), join(dir, 'inbox', doc.name));
        } else uploads.push(upload(daemon, doc));
        // A few uploads at a time, as a sender would.
        if (uploads.length >= 8) await Promise.all(uploads.splice(0));
      }
      await Promise.all(uploads);
    },
    /** Invoices stored, and those among them past extraction, validation and posting. */
    async progress(): Promise<{ stored: number; through: number }> {
      const { rows } = await db.query<{ stored: number; through: number }>(
        'SELECT count(*)::int AS stored, count(*) FILTER (WHERE NOT status = ANY($1))::int AS through FROM invoices',
        [IN_FLIGHT],
      );
      return rows[0]!;
    },
    async statusCounts(): Promise<Record<string, number>> {
      const { rows } = await db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM invoices GROUP BY status ORDER BY status',
      );
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    },
    async stop(): Promise<void> {
      await disposeDaemon(daemon);
      await db.end();
      await scratch.drop();
    },
  };
}

/**
 * The embedded default (`npm start` with no database configured): the daemon starts its own
 * PostgreSQL in its folder. Only for the idle figure: its memory, and that of the server.
 */
export async function startEmbeddedDaemon() {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-bench-'));
  const port = await freePort();
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify({ http: { port, token: TOKEN }, logging: { dir: './logs', console: 'json', level: 'warn' } }),
  );
  const daemon = new DaemonProcess(dir, configFile, port, {});
  try {
    await daemon.waitForStatus('/health/ready', 200, 180_000);
  } catch (error) {
    await disposeDaemon(daemon);
    throw error;
  }
  const pid = daemon.child.pid!;
  return {
    sample: () => sampleProcess(pid),
    /** Proportional set size of the processes the daemon started (the embedded server), in MB. */
    childrenPssMb: () => descendants(pid).reduce((sum, child) => sum + pssMb(child), 0),
    stop: () => disposeDaemon(daemon),
  };
}

function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended in between
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

// PSS, not RSS: the server's processes share its buffers, and RSS would count them once per process.
function pssMb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function upload(daemon: DaemonProcess, doc: BenchDocument): Promise<void> {
  const response = await fetch(daemon.url('/api/invoices'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ file_b64: doc.bytes.toString('base64'), filename: doc.name }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`upload of ${doc.name} answered ${response.status}: ${await response.text()}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
