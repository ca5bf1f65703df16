/**
 * Conformance run: extract every document under a folder and report what was read.
 *
 *   npm run conformance -- ../shared/corpus
 *
 * Per format: documents read and failures (with the reason). Where ground truth lies beside
 * the PDFs — `<dir>/facturx/NAME.pdf` with `<dir>/facturx-cii/NAME.cii.xml`, the XML that holds
 * exactly what the page prints — the PDFs are also read in text mode (ignoring their embedded
 * XML) and compared field by field with the ground truth.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { startStandalonePool } from '../src/extract/extractionPool.ts';
import { shippedTemplateDir } from '../src/extract/shippedTemplates.ts';
import { parseInvoiceXml } from '../src/extract/structured/index.ts';
import { sniffMediaType } from '../src/intake/mediaType.ts';
import type { NormalizedInvoice } from '../src/invoice/normalizedInvoice.ts';

const root = resolve(process.argv[2] ?? '../shared/corpus');
const EXTENSIONS = new Set(['.pdf', '.xml', '.isdoc', '.isdocx']);
const files = (function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : EXTENSIONS.has(extname(name).toLowerCase()) ? [path] : [];
  });
})(root).sort();

const { pool, stop } = await startStandalonePool({
  workers: 0,
  timeoutMs: 30_000,
  memoryMb: 512,
  templateDirs: [shippedTemplateDir],
});

type Row = { file: string; format: string; ok: boolean; reason?: string };
const rows: Row[] = await Promise.all(
  files.map(async (file) => {
    const bytes = readFileSync(file);
    const outcome = await pool.extract(bytes, sniffMediaType(bytes), 'auto');
    return outcome.kind === 'extracted'
      ? { file, format: outcome.invoice.source.format, ok: true }
      : { file, format: extname(file).slice(1).toLowerCase(), ok: false, reason: outcome.reason };
  }),
);

console.log(`Conformance over ${relative(process.cwd(), root) || root}: ${files.length} documents\n`);
const byFolder = Map.groupBy(rows, (row) => relative(root, dirname(row.file)) || '.');
console.log('folder'.padEnd(16) + 'read'.padStart(6) + 'failed'.padStart(8) + '   formats');
for (const [folder, list] of byFolder) {
  const formats = [
    ...Map.groupBy(
      list.filter((r) => r.ok),
      (r) => r.format,
    ),
  ]
    .map(([f, l]) => `${f} ${l.length}`)
    .join(', ');
  console.log(
    folder.padEnd(16) +
      String(list.filter((r) => r.ok).length).padStart(6) +
      String(list.filter((r) => !r.ok).length).padStart(8) +
      `   ${formats}`,
  );
}
const failures = rows.filter((row) => !row.ok);
if (failures.length) {
  console.log('\nNot read:');
  for (const row of failures) console.log(`  ${relative(root, row.file)}: ${row.reason}`);
}

// Field agreement: text mode against ground truth.
const FIELDS: Array<[string, (i: NormalizedInvoice) => string | null]> = [
  ['invoice number', (i) => i.invoice_number],
  ['issue date', (i) => i.issue_date],
  ['due date', (i) => i.due_date],
  ['seller VAT id', (i) => i.supplier.vat_id?.replace(/\s+/g, '') ?? null],
  ['total net', (i) => i.total_net],
  ['total VAT', (i) => i.total_vat],
  ['total gross', (i) => i.total_gross],
  ['currency', (i) => i.currency],
];
const same = (a: string | null, b: string | null) =>
  a === b || (a !== null && b !== null && /^-?[\d.]+$/.test(a) && /^-?[\d.]+$/.test(b) && Number(a) === Number(b));
const pairs = files.flatMap((pdf) => {
  if (extname(pdf).toLowerCase() !== '.pdf') return [];
  const truth = join(dirname(dirname(pdf)), `${basename(dirname(pdf))}-cii`, `${basename(pdf, extname(pdf))}.cii.xml`);
  try {
    statSync(truth);
    return [{ pdf, truth }];
  } catch {
    return [];
  }
});
if (pairs.length) {
  const agree = new Map(FIELDS.map(([name]) => [name, 0]));
  const compared = new Map(FIELDS.map(([name]) => [name, 0]));
  const misses: string[] = [];
  for (const { pdf, truth } of pairs) {
    const expected = parseInvoiceXml(readFileSync(truth));
    const bytes = readFileSync(pdf);
    const outcome = await pool.extract(bytes, 'application/pdf', 'text');
    for (const [name, get] of FIELDS) {
      if (get(expected) === null) continue;
      compared.set(name, compared.get(name)! + 1);
      const got = outcome.kind === 'extracted' ? get(outcome.invoice) : null;
      if (same(got, get(expected))) agree.set(name, agree.get(name)! + 1);
      else
        misses.push(
          `  ${basename(pdf)} ${name}: read ${JSON.stringify(got)}, expected ${JSON.stringify(get(expected))}`,
        );
    }
  }
  console.log(`\nText-mode field agreement with ground truth (${pairs.length} PDFs):`);
  let totalAgree = 0;
  let total = 0;
  for (const [name] of FIELDS) {
    const n = compared.get(name)!;
    totalAgree += agree.get(name)!;
    total += n;
    console.log(
      `  ${name.padEnd(15)} ${String(agree.get(name)).padStart(3)}/${String(n).padEnd(3)} ${n ? ((100 * agree.get(name)!) / n).toFixed(1) : '-'}%`,
    );
  }
  console.log(
    `  ${'overall'.padEnd(15)} ${String(totalAgree).padStart(3)}/${String(total).padEnd(3)} ${((100 * totalAgree) / total).toFixed(1)}%`,
  );
  if (process.argv.includes('--misses')) console.log(`\nDisagreements:\n${misses.join('\n')}`);
}
stop();
