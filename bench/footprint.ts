/**
 * bench/footprint: the daemon's own memory and CPU, idle and under a short load. Starts the
 * real daemon on a scratch database of the configured PostgreSQL (so the embedded server is not
 * counted), then reports, each beside its target:
 *
 *   - RSS and threads right after start (the tree settled, no document seen yet)   ≤ 150 MB
 *   - peak RSS while `--documents` invoices go through the drop folder and HTTP     ≤ 250 MB
 *   - RSS after the load, once the extraction threads have retired (idle again)
 *   - CPU % of one core over `--idle-minutes` of idle
 *
 *   npm run bench:footprint -- [--documents 300] [--pdf-every 3] [--idle-minutes 5] [--embedded]
 *
 * --embedded first starts the embedded default (no database configured) and reports its idle
 * figure too: the daemon's RSS, and the embedded PostgreSQL's processes (PSS) beside it.
 *
 * The database is TEST_DATABASE_URL, else the local server on 127.0.0.1:5432, else an
 * embedded one (then the figures still count only the daemon's process).
 */
import { parseArgs } from 'node:util';
import { mixedDocument } from './benchDocuments.ts';
import { sleep, startBenchDaemon, startEmbeddedDaemon, type ProcessSample } from './daemonUnderTest.ts';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '300' },
    'pdf-every': { type: 'string', default: '3' },
    'idle-minutes': { type: 'string', default: '5' },
    'idle-worker-ms': { type: 'string', default: '30000' },
    embedded: { type: 'boolean', default: false },
  },
});
const documents = Number(values.documents);
const pdfEvery = Number(values['pdf-every']);
const idleMinutes = Number(values['idle-minutes']);
const idleWorkerMs = Number(values['idle-worker-ms']);
const IDLE_TARGET_MB = 150;
const LOAD_TARGET_MB = 250;

if (values.embedded) {
  const embedded = await startEmbeddedDaemon();
  try {
    await sleep(5_000);
    const { rssMb, threads } = embedded.sample();
    console.log(
      `embedded default, idle after start: daemon ${rssMb.toFixed(0)} MB RSS, ${threads} threads` +
        `  target ≤ ${IDLE_TARGET_MB} MB  ${rssMb <= IDLE_TARGET_MB ? 'met' : 'MISSED'};` +
        ` its PostgreSQL ${embedded.childrenPssMb().toFixed(0)} MB PSS besides`,
    );
  } finally {
    await embedded.stop();
  }
}

const batch = await Promise.all(Array.from({ length: documents }, (_, i) => mixedDocument(i, pdfEvery, 'footprint-')));
const bench = await startBenchDaemon({ extraction: { idleWorkerMs } });
const mb = (sample: ProcessSample) => `${sample.rssMb.toFixed(0)} MB RSS, ${sample.threads} threads`;
const verdict = (value: number, target: number) => (value <= target ? 'met' : 'MISSED');
try {
  // A few seconds for what follows ready (first monitor sample, first claim poll) to happen.
  await sleep(5_000);
  const idle = bench.sample();

  let peak = idle;
  const sampler = setInterval(() => {
    const now = bench.sample();
    if (now.rssMb > peak.rssMb) peak = now;
  }, 100);
  const started = Date.now();
  await bench.submit(batch);
  for (;;) {
    const { through } = await bench.progress();
    if (through >= documents) break;
    if (Date.now() - started > 600_000)
      throw new Error(`only ${through} of ${documents} invoices through after 10 minutes`);
    await sleep(200);
  }
  const loadMs = Date.now() - started;
  clearInterval(sampler);

  // Back to idle: the extraction threads retire after idleWorkerMs, and V8 hands their pages
  // back some seconds later.
  await sleep(idleWorkerMs + 15_000);
  const after = bench.sample();
  const cpuBefore = bench.cpuMs();
  const idleStarted = Date.now();
  await sleep(idleMinutes * 60_000);
  const cpuPercent = (100 * (bench.cpuMs() - cpuBefore)) / (Date.now() - idleStarted);
  const end = bench.sample();

  console.log(`documents: ${documents} (every ${pdfEvery}. a PDF), half through the drop folder, half over HTTP`);
  console.log(
    `idle after start:          ${mb(idle).padEnd(28)} target ≤ ${IDLE_TARGET_MB} MB  ${verdict(idle.rssMb, IDLE_TARGET_MB)}`,
  );
  console.log(
    `peak under load:           ${mb(peak).padEnd(28)} target ≤ ${LOAD_TARGET_MB} MB  ${verdict(peak.rssMb, LOAD_TARGET_MB)}` +
      `  (${documents} invoices through in ${(loadMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `idle again after the load: ${mb(after).padEnd(28)} target ≤ ${IDLE_TARGET_MB} MB  ${verdict(after.rssMb, IDLE_TARGET_MB)}`,
  );
  console.log(
    `CPU over ${idleMinutes} idle minutes:   ${cpuPercent.toFixed(2)} % of one core  (RSS at the end: ${mb(end)})`,
  );
  console.log(`statuses: ${JSON.stringify(await bench.statusCounts())}`);
} finally {
  await bench.stop();
}
