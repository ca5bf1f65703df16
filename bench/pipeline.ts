/**
 * bench/pipeline: documents per second from the drop folder to `extracted`, against the raw
 * extractor on the same documents in the same run. Prints both rates and their ratio.
 *
 *   npm run bench -- [--documents 300]
 *
 * The pipeline figure includes everything a document goes through before extraction ends:
 * the folder scan, reading the file, storing it with its event in PostgreSQL, claiming it,
 * two committed transitions and the extraction itself. The database is TEST_DATABASE_URL,
 * else the local server on 127.0.0.1:5432, else an embedded one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { stringify } from 'yaml';
import { startStandalonePool } from '../src/extract/extractionPool.ts';
import { shippedTemplateDir } from '../src/extract/shippedTemplates.ts';
import { sniffMediaType } from '../src/intake/mediaType.ts';
import { freePort } from '../src/runtime/freePort.ts';
import { createScratchDatabase } from '../test/support/database.ts';
import { DaemonProcess } from '../test/support/daemonProcess.ts';
import type { NormalizedInvoice } from '../src/invoice/normalizedInvoice.ts';
import {
  buildCii,
  buildIsdoc,
  buildUbl,
  slovakSampleInvoice,
  slovakSampleIsdocInvoice,
} from '../test/support/einvoices.ts';
import {
  lsInvoice,
  lsInvoicePdf,
  marsoInvoice,
  marsoInvoicePdf,
  slovakInvoice,
  slovakInvoicePdf,
} from '../test/support/pdfInvoices.ts';

const { values } = parseArgs({ options: { documents: { type: 'string', default: '300' } } });
const count = Number(values.documents);
// Realistic invoices: the three supplier layouts as PDFs (read through templates) and the
// three e-invoice formats, each with its own number so none is a duplicate of another.
const kinds: Array<[string, (n: number) => Promise<Buffer>]> = [
  ['pdf', (n) => lsInvoicePdf(numbered(lsInvoice(), n))],
  ['pdf', (n) => marsoInvoicePdf(numbered(marsoInvoice(), n))],
  ['pdf', (n) => slovakInvoicePdf(numbered(slovakInvoice(), n))],
  ['xml', async (n) => Buffer.from(buildUbl(numbered(slovakSampleInvoice(), n)))],
  ['xml', async (n) => Buffer.from(buildCii(numbered(slovakSampleInvoice(), n)))],
  ['isdoc', async (n) => Buffer.from(buildIsdoc(numbered(slovakSampleIsdocInvoice(), n)))],
];
function numbered(invoice: NormalizedInvoice, n: number): NormalizedInvoice {
  return { ...invoice, invoice_number: `${invoice.invoice_number}-${n}`, variable_symbol: null };
}
const makeBatch = (size: number, offset: number) =>
  Promise.all(
    Array.from({ length: size }, async (_, j) => {
      const i = j + offset;
      const [extension, make] = kinds[i % kinds.length]!;
      return { name: `bench-${i}.${extension}`, bytes: await make(i) };
    }),
  );
const documents = await makeBatch(count, 0);
const warmup = await makeBatch(60, count);

// 1. The raw extractor alone: the same worker pool the daemon uses (one worker per core),
//    fed all documents at once. Best of 5 rounds (the least disturbed by the machine).
const {
  pool,
  workers,
  stop: stopPool,
} = await startStandalonePool({ workers: 0, timeoutMs: 60_000, memoryMb: 512, templateDirs: [shippedTemplateDir] });
let rawBestMs = Infinity;
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  const outcomes = await Promise.all(documents.map((doc) => pool.extract(doc.bytes, sniffMediaType(doc.bytes))));
  rawBestMs = Math.min(rawBestMs, performance.now() - started);
  const unreadable = outcomes.filter((o) => o.kind === 'unreadable');
  if (unreadable.length)
    throw new Error(`${unreadable.length} bench documents were unreadable: ${JSON.stringify(unreadable[0])}`);
}
stopPool();
const rawRate = count / (rawBestMs / 1000);

// 2. The whole pipeline, in a real daemon, from the moment the files are in the folder.
const scratch = await createScratchDatabase('bench');
const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-bench-'));
const port = await freePort();
const configFile = join(dir, 'config.yaml');
writeFileSync(
  configFile,
  stringify({
    database: { url: scratch.url },
    http: { port, token: 'bench-token' },
    logging: { dir: './logs', console: 'json', level: 'warn' },
    intake: { dropFolder: { pollMs: 20, stableMs: 0 } },
    pipeline: { pollMs: 50 },
  }),
);
const daemon = new DaemonProcess(dir, configFile, port, {});
const db = new pg.Pool({ connectionString: scratch.url });
try {
  await daemon.waitForStatus('/health/ready', 200, 60_000);
  // Drops a batch and waits until all of it is extracted; returns the batch's wall time.
  const extractedWithPrefix = async (prefix: string) =>
    (
      await db.query(
        "SELECT count(*)::int AS n, extract(epoch FROM max(e.at)) * 1000 AS last FROM invoice_events e JOIN invoices i ON i.id = e.invoice_id WHERE e.to_status = 'extracted' AND i.filename LIKE $1",
        [`${prefix}%`],
      )
    ).rows[0] as { n: number; last: string };
  async function runBatch(prefix: string, batch: typeof documents): Promise<number> {
    const started = Date.now();
    for (const doc of batch) writeFileSync(join(dir, 'inbox', `${prefix}${doc.name}`), doc.bytes);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { n, last } = await extractedWithPrefix(prefix);
      if (n >= batch.length) return Number(last) - started;
      if (Date.now() - started > 300_000)
        throw new Error(`only ${n} of ${batch.length} documents extracted after 5 minutes`);
    }
  }
  // Warm the daemon's workers first (JIT, templates), as the raw side is measured warm too.
  await runBatch('warmup-', warmup);
  const pipelineMs = await runBatch('timed-', documents);
  const pipelineRate = count / (pipelineMs / 1000);

  console.log(`documents:                 ${count}`);
  console.log(
    `raw extractor (${workers} workers): ${rawRate.toFixed(1)} documents/s (best of 5 rounds, ${rawBestMs.toFixed(1)} ms)`,
  );
  console.log(`drop folder → extracted:   ${pipelineRate.toFixed(1)} documents/s (${pipelineMs} ms)`);
  console.log(`ratio pipeline / raw:      ${(pipelineRate / rawRate).toFixed(4)}`);
} finally {
  daemon.signal('SIGTERM');
  await daemon.waitForExit(30_000).catch(() => daemon.signal('SIGKILL'));
  await db.end();
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
