/**
 * bench/extractionCost: the text extraction's cost per document, this checkout against another
 * (for example the commit before a reader was added), on the same generated PDFs, one thread,
 * alternating rounds so that both sides see the same machine load. Prints ms per document
 * (median of the rounds) and the rate ratio against the 0.70 floor of issue 16 (a new reader
 * may cost at most 30 % of the raw extraction rate).
 *
 *   node bench/extractionCost.ts [--baseline /path/to/other/checkout] [--rounds 15]
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  lsInvoice,
  lsInvoicePdf,
  marsoInvoice,
  marsoInvoicePdf,
  slovakInvoice,
  slovakInvoicePdf,
} from '../test/support/pdfInvoices.ts';

const { values } = parseArgs({
  options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '15' } },
});
const rounds = Number(values.rounds);

type Extract = (pdf: Buffer) => Promise<unknown>;
async function extractorOf(root: string): Promise<Extract> {
  const { extractDocument } = (await import(resolve(root, 'src/extract/extractDocument.ts'))) as {
    extractDocument: (b: Buffer, m: string, o: unknown) => Promise<{ kind: string }>;
  };
  const { loadTemplates } = (await import(resolve(root, 'src/extract/templates/loadTemplates.ts'))) as {
    loadTemplates: (dirs: string[]) => unknown[];
  };
  const templates = loadTemplates([resolve(root, 'config/templates')]);
  return async (pdf) => {
    const outcome = await extractDocument(pdf, 'application/pdf', { mode: 'text', templates });
    if (outcome.kind !== 'extracted') throw new Error(`${root}: ${JSON.stringify(outcome)}`);
  };
}

const documents: Array<[string, Buffer]> = [
  ['L&Š layout', await lsInvoicePdf(lsInvoice())],
  ['MARSO layout', await marsoInvoicePdf(marsoInvoice())],
  ['Slovak generic layout', await slovakInvoicePdf(slovakInvoice())],
];
const sides: Array<[string, Extract]> = [['this checkout', await extractorOf(resolve(import.meta.dirname, '..'))]];
if (values.baseline) sides.push(['baseline', await extractorOf(values.baseline)]);

const times = new Map<string, number[]>();
for (let round = 0; round < rounds + 2; round++) {
  for (const [side, extract] of round % 2 ? [...sides].reverse() : sides) {
    for (const [name, pdf] of documents) {
      const started = performance.now();
      await extract(pdf);
      // The first two rounds warm the JIT and the template caches; they are not counted.
      if (round >= 2)
        times.set(`${side}|${name}`, [...(times.get(`${side}|${name}`) ?? []), performance.now() - started]);
    }
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
console.log(`ms per document, median of ${rounds} rounds (one thread)`);
const total = (side: string) => documents.reduce((sum, [name]) => sum + median(times.get(`${side}|${name}`)!), 0);
for (const [name] of documents) {
  console.log(
    `  ${name.padEnd(24)} ${sides.map(([side]) => `${side} ${median(times.get(`${side}|${name}`)!).toFixed(1)}`).join('   ')}`,
  );
}
if (values.baseline) {
  const ratio = total('baseline') / total('this checkout');
  console.log(
    `rate of this checkout / baseline: ${ratio.toFixed(2)}   (target ≥ 0.70: the new reading may cost at most 30 %)`,
  );
}
