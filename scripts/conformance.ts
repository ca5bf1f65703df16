/**
 * Conformance run: extract every document under a folder and report what was read.
 *
 *   npm run conformance -- ../shared/corpus
 *
 * Per format: documents read and failures (with the reason). Where ground truth lies beside
 * the PDFs — `<dir>/facturx/NAME.pdf` with `<dir>/facturx-cii/NAME.cii.xml`, the XML that holds
 * exactly what the page prints — the PDFs are also read in text mode (ignoring their embedded
 * XML) and compared field by field, and line net by line net, with the ground truth; a PDF with
 * embedded XML and no XML beside it is compared with its own embedded XML.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { startStandalonePool } from '../src/extract/extractionPool.ts';
import { shippedTemplateDir } from '../src/extract/shippedTemplates.ts';
import { parseInvoiceXml } from '../src/extract/structured/index.ts';
import { sniffMediaType } from '../src/intake/mediaType.ts';
import type { NormalizedInvoice } from '../src/invoice/normalizedInvoice.ts';

const root = resolve(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? '../shared/corpus');
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

// Field and line agreement: text mode against ground truth.
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

/**
 * The ground truth of a PDF: the XML beside it (`<dir>/facturx-cii/NAME.cii.xml` for
 * `<dir>/facturx/NAME.pdf`), else the PDF's own embedded XML; null when it has neither.
 */
async function truthOf(pdf: string): Promise<{ invoice: NormalizedInvoice; kind: 'beside' | 'embedded' } | null> {
  const beside = join(dirname(dirname(pdf)), `${basename(dirname(pdf))}-cii`, `${basename(pdf, extname(pdf))}.cii.xml`);
  try {
    statSync(beside);
    return { invoice: parseInvoiceXml(readFileSync(beside)), kind: 'beside' };
  } catch {
    const outcome = await pool.extract(readFileSync(pdf), 'application/pdf', 'structured');
    return outcome.kind === 'extracted' ? { invoice: outcome.invoice, kind: 'embedded' } : null;
  }
}

/** How many of the expected line nets the reading found, counted as a multiset (order and duplicates matter once each). */
function linesMatched(expected: NormalizedInvoice, got: NormalizedInvoice | null): { matched: number; of: number } {
  const want = expected.lines.map((line) => line.line_net).filter((net): net is string => net !== null);
  const left = (got?.lines ?? []).map((line) => line.line_net).filter((net): net is string => net !== null);
  let matched = 0;
  for (const net of want) {
    const at = left.findIndex((candidate) => same(candidate, net));
    if (at >= 0) {
      matched += 1;
      left.splice(at, 1);
    }
  }
  return { matched, of: want.length };
}

type Comparison = { pdf: string; expected: NormalizedInvoice; got: NormalizedInvoice | null; kind: string };
const comparisons: Comparison[] = [];
for (const pdf of files.filter((file) => extname(file).toLowerCase() === '.pdf')) {
  const truth = await truthOf(pdf);
  if (truth === null) continue;
  const outcome = await pool.extract(readFileSync(pdf), 'application/pdf', 'text');
  comparisons.push({
    pdf,
    expected: truth.invoice,
    got: outcome.kind === 'extracted' ? outcome.invoice : null,
    kind: truth.kind === 'beside' ? 'the XML beside it' : 'its own embedded XML',
  });
}
const percent = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');
const misses: string[] = [];
for (const [folder, list] of Map.groupBy(comparisons, (c) => `${relative(root, dirname(c.pdf)) || '.'} vs ${c.kind}`)) {
  const agree = new Map(FIELDS.map(([name]) => [name, 0]));
  const compared = new Map(FIELDS.map(([name]) => [name, 0]));
  let linesRight = 0;
  let linesExpected = 0;
  let documentsWithLines = 0;
  let documentsAllRight = 0;
  for (const { pdf, expected, got } of list) {
    for (const [name, get] of FIELDS) {
      if (get(expected) === null) continue;
      compared.set(name, compared.get(name)! + 1);
      const value = got === null ? null : get(got);
      if (same(value, get(expected))) agree.set(name, agree.get(name)! + 1);
      else
        misses.push(
          `  ${basename(pdf)} ${name}: read ${JSON.stringify(value)}, expected ${JSON.stringify(get(expected))}`,
        );
    }
    const { matched, of } = linesMatched(expected, got);
    if (of === 0) continue;
    documentsWithLines += 1;
    linesRight += matched;
    linesExpected += of;
    const readCount = got?.lines.length ?? 0;
    if (matched === of && readCount === of) documentsAllRight += 1;
    else misses.push(`  ${basename(pdf)} lines: ${matched}/${of} line nets right, ${readCount} lines read`);
  }
  console.log(`\nText mode against ground truth: ${folder} (${list.length} PDFs)`);
  let totalAgree = 0;
  let total = 0;
  for (const [name] of FIELDS) {
    const n = compared.get(name)!;
    totalAgree += agree.get(name)!;
    total += n;
    console.log(
      `  ${name.padEnd(22)} ${String(agree.get(name)).padStart(4)}/${String(n).padEnd(4)} ${percent(agree.get(name)!, n)}`,
    );
  }
  console.log(
    `  ${'header fields'.padEnd(22)} ${String(totalAgree).padStart(4)}/${String(total).padEnd(4)} ${percent(totalAgree, total)}`,
  );
  console.log(
    `  ${'line amounts'.padEnd(22)} ${String(linesRight).padStart(4)}/${String(linesExpected).padEnd(4)} ${percent(linesRight, linesExpected)}`,
  );
  console.log(
    `  ${'docs, every line right'.padEnd(22)} ${String(documentsAllRight).padStart(4)}/${String(documentsWithLines).padEnd(4)} ${percent(documentsAllRight, documentsWithLines)}`,
  );
}
if (process.argv.includes('--misses')) console.log(`\nDisagreements:\n${misses.join('\n')}`);
stop();
