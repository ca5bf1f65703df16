import type pg from 'pg';
import type { Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import { getDocumentContent, type InvoiceDetail } from '../db/invoiceQueries.ts';
import { emptyInvoice, type InvoiceLine, type NormalizedInvoice } from '../invoice/normalizedInvoice.ts';
import { HEADER_FIELDS, headerValue, type HeaderField } from '../invoice/operatorEdits.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import { REPROCESSABLE } from '../pipeline/reprocess.ts';
import type { ValidationProblem } from '../validate/problem.ts';
import { EDITOR_SCRIPT } from './invoiceEditor.ts';
import { historyTimeline } from './invoiceHistory.ts';
import { lineMatchViews, matchCell, type LineMatchView } from './lineMatchCell.ts';
import { html, words, type Lang, type Word } from './text.ts';
import { formatXml } from './xmlText.ts';

/**
 * The invoice page: the original beside the data, every header field and line editable for an
 * operator while the invoice waits for people, each validation problem at its field, the
 * decisions the caller's role allows, and the history. Saving goes through the same
 * `PATCH /api/invoices/:id` as integrations; the server renders the page again afterwards.
 */
const CORRECTABLE: readonly InvoiceStatus[] = ['needs_review', 'validated'];
const REJECTABLE: readonly InvoiceStatus[] = ['validated', 'needs_review', 'unreadable'];
const LINE_KEYS = [
  'item_code',
  'ean',
  'description',
  'quantity',
  'unit',
  'unit_price',
  'unit_price_with_vat',
  'discount_percent',
  'vat_rate',
  'line_net',
  'line_gross',
] as const satisfies ReadonlyArray<keyof InvoiceLine>;
const LINE_AMOUNTS: ReadonlySet<string> = new Set(
  LINE_KEYS.filter((key) => !['item_code', 'ean', 'description', 'unit'].includes(key)),
);
const DOCUMENT_TYPES = ['invoice', 'credit_note', 'advance_invoice', 'payment_tax_document'];

// Beside the layout's style: only this page has forms, a timeline and a wide table.
const PAGE_STYLE = `
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.4rem .8rem}
.split>section{min-width:0}.field{display:flex;flex-direction:column}
.field input,.field select{width:100%;box-sizing:border-box}#vat input{width:7rem}.field label{font-size:.85rem;color:#44505c}
.invalid input,.invalid select,input[aria-invalid=true]{border:2px solid #a40000}
.problem{color:#a40000;font-size:.85rem}.wide{overflow-x:auto}
#lines input{width:6rem}#lines input[data-key=description]{width:16rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
.timeline{list-style:none;padding:0}.timeline>li{background:#fff;border:1px solid #d0d5dc;margin:.3rem 0;padding:.4rem .6rem}
.timeline time{font-variant-numeric:tabular-nums;margin-right:.6rem}.who{font-weight:600}
del{color:#a40000}ins{color:#176b2c;text-decoration:none}
.match{min-width:12rem}.match select{max-width:16rem}.pick{display:block;font-size:.85rem;color:#44505c}
pre.xml{white-space:pre;font-size:.85rem}
`;

interface PageContext {
  lang: Lang;
  t: (word: Word) => string;
  editable: boolean;
  /** Problems by their field path ('total_gross', 'lines[2].line_net'). */
  problems: Map<string, ValidationProblem[]>;
}

export async function invoicePage(
  pool: pg.Pool,
  lang: Lang,
  detail: InvoiceDetail,
  identity: Identity,
): Promise<string> {
  const t = words(lang);
  const problems = detail.validation.problems as ValidationProblem[];
  const context: PageContext = {
    lang,
    t,
    editable: roleAllows(identity.role, 'operator') && CORRECTABLE.includes(detail.status),
    problems: groupByField(problems),
  };
  const invoice = detail.invoice ?? emptyInvoice();
  const scriptWords = Object.fromEntries(
    (['row', 'working', 'nothingChanged', 'rejectReasonMissing'] as const).map((word) => [word, t(word)]),
  );
  return `<style>${PAGE_STYLE}</style><div id="invoice-page" data-invoice="${html(detail.id)}">
<h1>${t('invoice')} ${html(detail.invoice_number ?? detail.id)} <small>(<span id="status">${html(detail.status)}</span>)</small></h1>
<p>${html(detail.status_reason)}</p>
${problems.length ? `<h2>${t('problems')}</h2><ul>${problems.map((p) => `<li>${html(p.field)}: ${html(p.message)}</li>`).join('')}</ul>` : ''}
${actions(context, detail, identity)}
<p id="outcome" role="status" aria-live="polite"></p>
<div class="split"><section><h2>${t('document')}</h2>${await original(pool, detail, t)}</section>
<section>${headerForm(context, invoice)}</section></div>
${linesTable(context, invoice, await lineMatchViews(pool, detail.lines))}
${historyTimeline(lang, detail.events)}
</div>
<script type="application/json" id="editor-words">${jsonForScript(scriptWords)}</script>
<script type="module">${EDITOR_SCRIPT}</script>`;
}

function actions(context: PageContext, detail: InvoiceDetail, identity: Identity): string {
  const { t } = context;
  const operator = roleAllows(identity.role, 'operator');
  const buttons = [
    context.editable ? `<button type="button" data-do="save">${t('save')}</button>` : '',
    roleAllows(identity.role, 'approver') && detail.status === 'validated'
      ? `<button type="button" data-do="approve">${t('approve')}</button>`
      : '',
    operator && REPROCESSABLE.includes(detail.status)
      ? `<button type="button" data-do="reprocess">${t('reprocess')}</button>`
      : '',
    operator && REJECTABLE.includes(detail.status)
      ? `<span class="reject"><label for="reject-reason">${t('rejectReason')}</label>
<input id="reject-reason" name="reject-reason"><button type="button" data-do="reject">${t('reject')}</button></span>`
      : '',
    `<a href="/api/invoices/${html(encodeURIComponent(detail.id))}/document" download>${t('download')}</a>`,
  ];
  const reason = context.editable
    ? `<label for="correction-reason">${t('correctionReason')}</label><input id="correction-reason" name="correction-reason">`
    : `<input id="correction-reason" type="hidden"><p>${t('notEditable')}</p>`;
  return `<section class="actions" aria-label="${t('actions')}">${reason}${buttons.filter(Boolean).join('\n')}</section>`;
}

async function original(pool: pg.Pool, detail: InvoiceDetail, t: (word: Word) => string): Promise<string> {
  const documentUrl = `/api/invoices/${encodeURIComponent(detail.id)}/document`;
  if (detail.document.media_type !== 'application/pdf') {
    const content = await getDocumentContent(pool, detail.id);
    const text = content?.bytes.toString('utf8') ?? '';
    const xml = /xml/.test(detail.document.media_type);
    const shown = xml ? formatXml(text) : text;
    return `<pre${xml ? ' class="xml"' : ''} tabindex="0" aria-label="${t('document')}">${html(shown.slice(0, 200_000))}</pre>`;
  }
  return `<canvas id="pdf" role="img" aria-label="${t('document')}"></canvas>
<script type="module">
import * as pdfjs from '/assets/pdfjs/pdf.min.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/assets/pdfjs/pdf.worker.min.mjs';
const pdf = await pdfjs.getDocument({ url: ${jsonForScript(documentUrl)} }).promise;
const first = await pdf.getPage(1);
const viewport = first.getViewport({ scale: 1.3 });
const canvas = document.getElementById('pdf');
canvas.width = viewport.width;
canvas.height = viewport.height;
await first.render({ canvas, viewport }).promise;
canvas.dataset.rendered = 'true';
</script>`;
}

function headerForm(context: PageContext, invoice: NormalizedInvoice): string {
  const { t } = context;
  const fields = HEADER_FIELDS.filter((field) => field.kind !== 'vat_breakdown').map((field) =>
    headerInput(context, field, headerValue(invoice, field.column) as string | null),
  );
  return `<h2>${t('header')}</h2><div class="fields">${fields.join('\n')}</div>
${vatTable(context, invoice)}`;
}

function headerInput(context: PageContext, field: HeaderField, value: string | null): string {
  const id = `f-${field.column}`;
  const { attributes, note } = problemAttributes(context, field.path, `p-${field.column}`);
  const common = `id="${id}" name="${field.column}" data-field="${field.column}"${attributes}`;
  const control =
    field.kind === 'document_type'
      ? `<select ${common}${context.editable ? '' : ' disabled'}><option value=""></option>${DOCUMENT_TYPES.map((type) => `<option${type === value ? ' selected' : ''}>${type}</option>`).join('')}</select>`
      : `<input ${common} value="${html(value ?? '')}"${kindAttributes(field)}${context.editable ? '' : ' readonly'}>`;
  return `<div class="field${note ? ' invalid' : ''}"><label for="${id}">${context.t(field.column as Word)}</label>${control}${note}</div>`;
}

function kindAttributes(field: HeaderField): string {
  if (field.kind === 'decimal') return ' data-kind="decimal" inputmode="decimal"';
  if (field.kind === 'date') return ' placeholder="RRRR-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}"';
  return '';
}

function vatTable(context: PageContext, invoice: NormalizedInvoice): string {
  const { t } = context;
  const keys = ['rate', 'base', 'tax'] as const;
  const row = (values: Record<string, string>, index: number | null) =>
    `<tr>${keys
      .map((key) => {
        const { attributes, note } =
          index === null
            ? { attributes: '', note: '' }
            : problemAttributes(context, `vat_breakdown[${index}].${key}`, `p-vat-${index}-${key}`);
        return `<td><input data-key="${key}" data-kind="decimal"${cellLabel(context, t(key), index)} inputmode="decimal" value="${html(values[key] ?? '')}"${attributes}${context.editable ? '' : ' readonly'}>${note}</td>`;
      })
      .join('')}${deleteCell(context, index)}</tr>`;
  const heads = keys.map((key) => `<th scope="col">${t(key)}</th>`).join('');
  return `<h3 id="vat-title">${t('vatRows')}</h3>
<table id="vat" data-rows aria-labelledby="vat-title"><thead><tr>${heads}${context.editable ? '<th></th>' : ''}</tr></thead>
<tbody>${invoice.vat_breakdown.map((values, index) => row(values as unknown as Record<string, string>, index)).join('')}</tbody>
<tfoot><tr><th scope="row" colspan="3">${t('vatSum')}: <output id="vat-sum"></output></th></tr></tfoot></table>
${context.editable ? `<template id="vat-row">${row({}, null)}</template><button type="button" data-do="add-row" data-table="vat">${t('addVatRow')}</button>` : ''}`;
}

function linesTable(context: PageContext, invoice: NormalizedInvoice, matches: Map<number, LineMatchView>): string {
  const { t } = context;
  const row = (line: Partial<InvoiceLine>, index: number | null) =>
    `<tr><td class="n">${index === null ? '' : index + 1}</td>${LINE_KEYS.map((key) => {
      const { attributes, note } =
        index === null
          ? { attributes: '', note: '' }
          : problemAttributes(context, `lines[${index}].${key}`, `p-line-${index}-${key}`);
      const amount = LINE_AMOUNTS.has(key) ? ' data-kind="decimal" inputmode="decimal"' : '';
      return `<td><input data-key="${key}"${cellLabel(context, t(key), index)}${amount} value="${html(line[key] ?? '')}"${attributes}${context.editable ? '' : ' readonly'}>${note}</td>`;
    }).join('')}${
      index === null
        ? '<td class="match"></td>'
        : matchCell(t, matches.get(line.line_number ?? 0), line.line_number ?? 0, context.editable)
    }${deleteCell(context, index)}</tr>`;
  const heads = LINE_KEYS.map((key) => `<th scope="col">${t(key)}</th>`).join('');
  const { note } = problemAttributes(context, 'lines', 'p-lines');
  return `<h2 id="lines-title">${t('lines')}</h2>${note}
<div class="wide"><table id="lines" data-rows aria-labelledby="lines-title"><thead><tr><th scope="col">#</th>${heads}<th scope="col">${t('product')}</th>${context.editable ? '<th></th>' : ''}</tr></thead>
<tbody>${invoice.lines.map((line, index) => row(line, index)).join('\n')}</tbody></table></div>
${context.editable ? `<template id="lines-row">${row({}, null)}</template><button type="button" data-do="add-row" data-table="lines">${t('addLine')}</button>` : ''}
<p class="sums">${t('linesNet')}: <output id="lines-net"></output> · ${t('difference')}: <output id="lines-difference"></output></p>`;
}

function deleteCell(context: PageContext, index: number | null): string {
  const word = context.t('deleteLine');
  return context.editable
    ? `<td><button type="button" data-do="delete-row"${cellLabel(context, word, index)}>${word}</button></td>`
    : '';
}

/** A cell's control is named by its column and row ("Množstvo, riadok 3"); the script renumbers after adding or deleting. */
function cellLabel(context: PageContext, word: string, index: number | null): string {
  const named = index === null ? '' : ` aria-label="${html(`${word}, ${context.t('row')} ${index + 1}`)}"`;
  return ` data-label="${html(word)}"${named}`;
}

/** aria-invalid and the problem's sentence beside the control, tied to it by aria-describedby. */
function problemAttributes(context: PageContext, path: string, noteId: string): { attributes: string; note: string } {
  const found = context.problems.get(path);
  if (!found) return { attributes: '', note: '' };
  return {
    attributes: ` aria-invalid="true" aria-describedby="${noteId}"`,
    note: `<span class="problem" id="${noteId}">${found.map((p) => html(p.message)).join(' ')}</span>`,
  };
}

function groupByField(problems: ValidationProblem[]): Map<string, ValidationProblem[]> {
  const grouped = new Map<string, ValidationProblem[]>();
  for (const problem of problems) {
    if (typeof problem?.field !== 'string') continue;
    grouped.set(problem.field, [...(grouped.get(problem.field) ?? []), problem]);
  }
  return grouped;
}

/** JSON inside a <script> element: `<` escaped, so no value can close the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
