/**
 * bench/soak: does the daemon's memory stay flat over many invoices? Pushes `--invoices`
 * documents (generated e-invoices, every `--pdf-every`-th a PDF) through the drop folder and
 * HTTP in batches, waits for each batch to go through the pipeline, and compares the RSS after
 * the first 1 000 invoices with the RSS at the end.            target: end / first 1 000 ≤ 1.1
 *
 *   npm run bench:soak -- [--invoices 20000] [--batch 500] [--pdf-every 10]
 *
 * Both samples are taken the same way: right after a batch went through, with the extraction
 * threads still running. The database is TEST_DATABASE_URL, else the local server on
 * 127.0.0.1:5432, else an embedded one (not counted).
 */
import { parseArgs } from 'node:util';
import { mixedDocument } from './benchDocuments.ts';
import { sleep, startBenchDaemon } from './daemonUnderTest.ts';

const { values } = parseArgs({
  options: {
    invoices: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '500' },
    'pdf-every': { type: 'string', default: '10' },
  },
});
const total = Number(values.invoices);
const batchSize = Number(values.batch);
const pdfEvery = Number(values['pdf-every']);
const FIRST = 1_000;
const TARGET = 1.1;

const bench = await startBenchDaemon({});
const started = Date.now();
let first: number | undefined;
let last = 0;
try {
  const idle = bench.sample();
  console.log(`idle after start: ${idle.rssMb.toFixed(0)} MB RSS`);
  let next = bench.submit(
    await Promise.all(
      Array.from({ length: Math.min(batchSize, total) }, (_, i) => mixedDocument(i, pdfEvery, 'soak-')),
    ),
  );
  for (let sent = 0; sent < total;) {
    await next;
    sent = Math.min(sent + batchSize, total);
    // The next batch is made while this one goes through, so the daemon is never left waiting.
    const upcoming =
      sent < total
        ? Promise.all(
            Array.from({ length: Math.min(batchSize, total - sent) }, (_, j) =>
              mixedDocument(sent + j, pdfEvery, 'soak-'),
            ),
          )
        : undefined;
    for (;;) {
      const { through } = await bench.progress();
      if (through >= sent) break;
      await sleep(200);
    }
    const { rssMb, threads } = bench.sample();
    last = rssMb;
    if (first === undefined && sent >= FIRST) first = rssMb;
    const rate = sent / ((Date.now() - started) / 1000);
    console.log(
      `${String(sent).padStart(6)} invoices through: ${rssMb.toFixed(0)} MB RSS, ${threads} threads, ${rate.toFixed(1)} invoices/s`,
    );
    if (upcoming) next = upcoming.then((documents) => bench.submit(documents));
  }
  const wallS = (Date.now() - started) / 1000;
  const ratio = last / (first ?? last);
  console.log(
    `invoices: ${total} (every ${pdfEvery}. a PDF) in ${(wallS / 60).toFixed(1)} min, ${(total / wallS).toFixed(1)} invoices/s`,
  );
  console.log(
    `RSS after the first ${FIRST}: ${(first ?? last).toFixed(0)} MB, at the end: ${last.toFixed(0)} MB, ratio ${ratio.toFixed(3)}` +
      `  target ≤ ${TARGET}  ${ratio <= TARGET ? 'met' : 'MISSED'}`,
  );
  console.log(`statuses: ${JSON.stringify(await bench.statusCounts())}`);
} finally {
  await bench.stop();
}
