/**
 * bench/pipeline: documents per second from the drop folder to `extracted`, against the raw
 * extractor on the same documents in the same run. Prints both rates and their ratio.
 *
 *   npm run bench -- [--documents 300]
 *
 * The pipeline figure includes everything a document goes through before extraction ends:
 * the folder scan, reading the file, storing it with its event in PostgreSQL, the claim (which
 * commits the start of extraction), the extraction and its commit; and it shares the machine
 * with what the daemon does next (validation, approval, the outbox). Each side is the best of
 * three rounds. The database is TEST_DATABASE_URL,
 * else the local server on 127.0.0.1:5432, else an embedded one.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startStandalonePool } from '../src/extract/extractionPool.ts';
import { shippedTemplateDir } from '../src/extract/shippedTemplates.ts';
import { sniffMediaType } from '../src/intake/mediaType.ts';
import { pdfKinds, xmlKinds } from './benchDocuments.ts';
import { startBenchDaemon } from './daemonUnderTest.ts';

const { values } = parseArgs({
  options: { documents: { type: 'string', default: '300' }, warmup: { type: 'string', default: '60' } },
});
const count = Number(values.documents);
// Realistic invoices (benchDocuments.ts): the three supplier layouts as PDFs and the three
// e-invoice formats, each with its own number so none is a duplicate of another.
const kinds = [...pdfKinds, ...xmlKinds];

// Where the CPU goes (Linux /proc): per thread kind of a process, and PostgreSQL's processes.
type CpuSample = Map<string, number>;
const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMs(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return 0; // the thread or process ended in between
  }
}
function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}
/** CPU ms so far of one process's threads, summed per thread name (MainThread, WorkerThread, V8Worker, …). */
function threadCpu(pid: number, label: string, into: CpuSample = new Map()): CpuSample {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const name = readOrNull(`/proc/${pid}/task/${tid}/comm`);
    if (name === null) continue; // the thread ended in between
    const kind =
      name === 'MainThread'
        ? 'main thread'
        : name === 'WorkerThread'
          ? 'extraction workers'
          : name === 'V8Worker'
            ? 'V8 helpers (GC, JIT)'
            : name === 'libuv-worker'
              ? 'libuv pool (files)'
              : 'other threads';
    const key = `${label} ${kind}`;
    into.set(key, (into.get(key) ?? 0) + cpuMs(`/proc/${pid}/task/${tid}/stat`));
  }
  return into;
}
/** CPU ms so far of every PostgreSQL process, by pid (our backends, WAL writer, checkpointer, others' tests too). */
function postgresCpu(into: CpuSample = new Map()): CpuSample {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = readOrNull(`/proc/${entry}/comm`);
    if (comm?.startsWith('postgres')) into.set(`pg ${entry}`, cpuMs(`/proc/${entry}/stat`));
  }
  return into;
}
/** Folds the per-pid PostgreSQL figures into this run's backends and the rest. */
function foldPostgres(sample: CpuSample, ourBackends: Set<number>): CpuSample {
  const folded: CpuSample = new Map();
  for (const [key, ms] of sample) {
    const pid = key.startsWith('pg ') ? Number(key.slice(3)) : undefined;
    const name =
      pid === undefined ? key : ourBackends.has(pid) ? 'postgres: backends of this run' : 'postgres: other processes';
    folded.set(name, (folded.get(name) ?? 0) + ms);
  }
  return folded;
}
function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
  const delta: CpuSample = new Map();
  for (const [key, ms] of after) delta.set(key, ms - (before.get(key) ?? 0));
  return delta;
}
function printCpu(title: string, delta: CpuSample, wallMs: number, documents: number): void {
  console.log(`${title} (CPU ms over ${wallMs.toFixed(0)} ms wall, per document, share of one core):`);
  for (const [key, ms] of [...delta].sort((a, b) => b[1] - a[1])) {
    if (ms <= 0) continue;
    const perDoc = (ms / documents).toFixed(2).padStart(6);
    console.log(
      `  ${key.padEnd(34)} ${String(ms).padStart(6)} ms  ${perDoc} ms/doc  ${((100 * ms) / wallMs).toFixed(0)}%`,
    );
  }
}
const profiling = existsSync('/proc/self/task');

const makeBatch = (size: number, offset: number) =>
  Promise.all(
    Array.from({ length: size }, async (_, j) => {
      const i = j + offset;
      const [extension, make] = kinds[i % kinds.length]!;
      return { name: `bench-${i}.${extension}`, bytes: await make(i) };
    }),
  );
// Both sides are measured as the best of ROUNDS rounds, the round least disturbed by the
// machine. The raw extractor may read the same documents again; the pipeline needs new ones
// each round (the same bytes again would be recognized as duplicates and not extracted).
const ROUNDS = 3;
const documents = await makeBatch(count, 0);
const rounds = [
  documents,
  ...(await Promise.all(Array.from({ length: ROUNDS - 1 }, (_, r) => makeBatch(count, (r + 1) * count)))),
];
const warmup = await makeBatch(Number(values.warmup), ROUNDS * count);

// 1. The raw extractor alone: the same worker pool the daemon uses (one worker per core),
//    fed all documents at once.
const {
  pool,
  workers,
  stop: stopPool,
} = await startStandalonePool({ workers: 0, timeoutMs: 60_000, memoryMb: 512, templateDirs: [shippedTemplateDir] });
let rawBestMs = Infinity;
let rawCpu: CpuSample = new Map();
for (let round = 0; round < ROUNDS; round++) {
  const cpuBefore = profiling ? postgresCpu(threadCpu(process.pid, 'bench')) : new Map<string, number>();
  const started = performance.now();
  const outcomes = await Promise.all(documents.map((doc) => pool.extract(doc.bytes, sniffMediaType(doc.bytes))));
  const ms = performance.now() - started;
  if (ms < rawBestMs && profiling)
    rawCpu = foldPostgres(cpuDelta(cpuBefore, postgresCpu(threadCpu(process.pid, 'bench'))), new Set());
  rawBestMs = Math.min(rawBestMs, ms);
  const unreadable = outcomes.filter((o) => o.kind === 'unreadable');
  if (unreadable.length)
    throw new Error(`${unreadable.length} bench documents were unreadable: ${JSON.stringify(unreadable[0])}`);
}
stopPool();
const rawRate = count / (rawBestMs / 1000);

// 2. The whole pipeline, in a real daemon, from the moment the files are in the folder.
// The drop folder polls often and the claims come quickly, so the wait between steps is not what is measured.
const bench = await startBenchDaemon({
  intake: { dropFolder: { pollMs: 20, stableMs: 0 } },
  pipeline: { pollMs: 50 },
});
const { daemon, db } = bench;
const dir = daemon.dir;
try {
  // Drops a batch and waits until all of it is extracted; returns the batch's wall time.
  const extractedWithPrefix = async (prefix: string) =>
    (
      await db.query(
        "SELECT count(*)::int AS n, extract(epoch FROM max(e.at)) * 1000 AS last FROM invoice_events e JOIN invoices i ON i.id = e.invoice_id WHERE e.to_status = 'extracted' AND i.filename LIKE $1",
        [`${prefix}%`],
      )
    ).rows[0] as { n: number; last: string };
  const ourBackends = async () =>
    new Set(
      (
        await db.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows.map((row) => row.pid),
    );
  const sampleCpu = () => postgresCpu(threadCpu(process.pid, 'bench', threadCpu(daemon.child.pid!, 'daemon')));
  let pipelineCpu: CpuSample = new Map();
  async function runBatch(prefix: string, batch: typeof documents): Promise<number> {
    const backendsBefore = profiling ? await ourBackends() : new Set<number>();
    const cpuBefore = profiling ? sampleCpu() : new Map<string, number>();
    const started = Date.now();
    for (const doc of batch) writeFileSync(join(dir, 'inbox', `${prefix}${doc.name}`), doc.bytes);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { n, last } = await extractedWithPrefix(prefix);
      if (n >= batch.length) {
        if (profiling) {
          const cpuAfter = sampleCpu();
          pipelineCpu = foldPostgres(
            cpuDelta(cpuBefore, cpuAfter),
            new Set([...backendsBefore, ...(await ourBackends())]),
          );
        }
        return Number(last) - started;
      }
      if (Date.now() - started > 300_000)
        throw new Error(`only ${n} of ${batch.length} documents extracted after 5 minutes`);
    }
  }
  // Warm the daemon's workers first (JIT, templates), as the raw side is measured warm too.
  await runBatch('warmup-', warmup);
  let pipelineMs = Infinity;
  for (const [round, batch] of rounds.entries()) {
    const cpuBefore = pipelineCpu;
    const ms = await runBatch(`timed${round}-`, batch);
    if (ms < pipelineMs) pipelineMs = ms;
    else pipelineCpu = cpuBefore; // keep the CPU figures of the best round
  }
  const pipelineRate = count / (pipelineMs / 1000);

  console.log(`documents:                 ${count}`);
  console.log(
    `raw extractor (${workers} workers): ${rawRate.toFixed(1)} documents/s (best of ${ROUNDS} rounds, ${rawBestMs.toFixed(1)} ms)`,
  );
  console.log(
    `drop folder → extracted:   ${pipelineRate.toFixed(1)} documents/s (best of ${ROUNDS} rounds, ${pipelineMs.toFixed(1)} ms)`,
  );
  console.log(`ratio pipeline / raw:      ${(pipelineRate / rawRate).toFixed(4)}`);
  if (profiling) {
    printCpu('raw extractor, best round', rawCpu, rawBestMs, count);
    printCpu('pipeline, best round (until the last document was seen extracted)', pipelineCpu, pipelineMs, count);
  }
} finally {
  await bench.stop();
}
