import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { stringify } from 'yaml';
import { getDocumentContent, getInvoice } from '../../db/invoiceQueries.ts';
import { LoaderError } from '../../errors.ts';
import type { NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import { headerField, valueAtPath } from '../../invoice/operatorEdits.ts';
import { equals, parseDecimal as exactDecimal } from '../../validate/decimal.ts';
import { extractPdfText } from '../pdf/pdfText.ts';
import { documentNumberStyle } from '../tables/itemTable.ts';
import { applyTemplate } from './extractWithTemplates.ts';
import { learnTemplate, type LearnedTemplate } from './learnTemplate.ts';
import { loadTemplates } from './loadTemplates.ts';

/**
 * `templates learn ID`: a stored invoice that people corrected becomes its supplier's template.
 * The corrected fields are those in the invoice's operator edits (what the console, `PATCH
 * /api/invoices/:id` and `invoices correct` record); the document is read again as text; the
 * template is written into `dir` and read back at once: the document is extracted with it and
 * every corrected field and line compared, so the operator learns whether it worked before the
 * next invoice arrives. The daemon picks the file up without a restart (reloadingTemplates.ts).
 */
export interface LearnOutcome extends LearnedTemplate {
  file: string;
  /** Corrected fields (and `lines`) the learned template does not read back as corrected. */
  stillDifferent: string[];
}

export async function learnFromInvoice(
  pool: pg.Pool,
  invoiceId: string,
  options: { dir: string; templateDirs: string[]; replace?: boolean; now?: Date },
): Promise<LearnOutcome> {
  const detail = await getInvoice(pool, invoiceId);
  if (!detail?.invoice) throw new LoaderError('INVOICE_NOT_FOUND', `There is no extracted invoice ${invoiceId}.`);
  const edits = detail.operator_edits ?? {};
  const corrected = Object.keys(edits.header ?? {})
    .filter((column) => column !== 'vat_breakdown')
    .map((column) => headerField(column)?.path ?? column);
  const linesCorrected = edits.lines !== undefined;
  if (corrected.length === 0 && !linesCorrected) {
    throw new LoaderError(
      'TEMPLATE_NOTHING_CORRECTED',
      `Invoice ${invoiceId} has no corrections to learn from: correct it first (the console, PATCH /api/invoices/:id or invoices correct).`,
    );
  }
  const document = await getDocumentContent(pool, invoiceId);
  if (document?.mediaType !== 'application/pdf') {
    throw new LoaderError(
      'TEMPLATE_NOT_PDF',
      `Invoice ${invoiceId} came as ${document?.mediaType ?? 'nothing'}; only PDF layouts are learned (structured invoices need no template).`,
    );
  }
  const text = await extractPdfText(document.bytes);
  const learned = learnTemplate({
    text,
    invoice: detail.invoice,
    corrected,
    linesCorrected,
    numberStyle: documentNumberStyle(text.text),
  });

  const dir = resolve(options.dir);
  const file = join(dir, `${learned.id}.yaml`);
  if (existsSync(file) && !options.replace) {
    throw new LoaderError(
      'TEMPLATE_EXISTS',
      `${file} exists already (learned before, or written by hand); learn again with --replace to overwrite it.`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const heading = [
    `# Learned by \`invoice-loader templates learn ${invoiceId}\` on ${(options.now ?? new Date()).toISOString().slice(0, 10)}`,
    `# from invoice ${detail.invoice.invoice_number ?? invoiceId} of ${detail.invoice.supplier.name ?? 'its supplier'}.`,
    '# Plain YAML: edit it freely (config/templates/README.md); `templates learn … --replace` writes it anew.',
    ...learned.skipped.map((s) => `# Not learned: ${s.what}: ${s.why}.`),
  ];
  writeFileSync(file, `${heading.join('\n')}\n${stringify(learned.spec, { lineWidth: 0 })}`);

  // Read back: the template as the daemon will load it, applied to the very document it came from.
  const template = loadTemplates([...options.templateDirs, dir]).find((t) => t.id === learned.id)!;
  const again = applyTemplate(text, template);
  const stillDifferent = [
    ...corrected.filter((path) => !same(valueAtPath(again, path), valueAtPath(detail.invoice!, path))),
    ...(linesCorrected && !sameLines(again, detail.invoice) ? ['lines'] : []),
  ];
  return { ...learned, file, stillDifferent };
}

/** Equal as values: "75.6" typed by a person is the "75.60" printed. */
function same(a: unknown, b: unknown): boolean {
  const x = typeof a === 'string' ? exactDecimal(a) : null;
  const y = typeof b === 'string' ? exactDecimal(b) : null;
  return x !== null && y !== null ? equals(x, y) : a === b;
}

function sameLines(a: NormalizedInvoice, b: NormalizedInvoice): boolean {
  const fields = ['description', 'quantity', 'unit_price', 'vat_rate', 'line_net'] as const;
  return (
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => fields.every((field) => same(line[field], b.lines[i]![field])))
  );
}
