import type { InvoiceEvent } from '../db/invoiceQueries.ts';
import { HEADER_FIELDS } from '../invoice/operatorEdits.ts';
import { html, words, type Lang, type Word } from './text.ts';

/**
 * The invoice's history as a timeline: when, who, the status move and why; a correction also
 * shows each changed field before → after (the lines as their count, with the changed ones).
 */
interface CorrectionDetails {
  kind: 'corrected';
  by: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  reason?: string;
}

function isCorrection(details: unknown): details is CorrectionDetails {
  const d = details as Partial<CorrectionDetails> | null;
  return d?.kind === 'corrected' && typeof d.changes === 'object' && d.changes !== null;
}

export function historyTimeline(lang: Lang, events: InvoiceEvent[]): string {
  const t = words(lang);
  const rows = events.map((event) => {
    const move =
      event.from_status === event.to_status
        ? html(event.to_status)
        : `${html(event.from_status ?? '')} → ${html(event.to_status)}`;
    const changes = isCorrection(event.details) ? changeList(lang, event.details) : '';
    return `<li><time datetime="${html(event.at)}">${html(event.at.replace('T', ' ').slice(0, 19))}</time>
<span class="who">${html(event.actor)}</span> <span class="move">${move}</span>
<div class="why">${html(event.reason)}</div>${changes}</li>`;
  });
  return `<h2>${t('history')}</h2><ol class="timeline">${rows.join('\n')}</ol>`;
}

function changeList(lang: Lang, details: CorrectionDetails): string {
  const t = words(lang);
  const items = Object.entries(details.changes).map(([field, change]) => {
    const label = LABELLED.has(field) ? t(field as Word) : lineProductLabel(lang, field);
    if (field === 'lines') return `<li>${html(label)}: ${linesChange(lang, change)}</li>`;
    return `<li>${html(label)}: <del>${shown(lang, change.before)}</del> → <ins>${shown(lang, change.after)}</ins></li>`;
  });
  return `<ul class="changes">${items.join('')}</ul>`;
}

/** `lines.2.nex_product` (a person's pick of a line's product) as "Produkt NEX, riadok 2". */
function lineProductLabel(lang: Lang, field: string): string {
  const t = words(lang);
  const line = /^lines\.(\d+)\.nex_product$/.exec(field)?.[1];
  return line ? `${t('product')}, ${t('row')} ${line}` : field;
}

// Field names that have a word of their own: every header field, and `lines`.
const LABELLED = new Set<string>([...HEADER_FIELDS.map((f) => f.column), 'lines']);

function shown(lang: Lang, value: unknown): string {
  if (value === null || value === undefined || value === '') return words(lang)('empty');
  if (Array.isArray(value)) {
    return html(value.map((row: Record<string, unknown>) => `${row.rate} %: ${row.base} + ${row.tax}`).join('; '));
  }
  return html(value);
}

/** "3 → 4 lines; 4: Kotva 8 mm, 2 × 1.20 = 2.40" — the count, and the lines that are new or different. */
function linesChange(lang: Lang, change: { before: unknown; after: unknown }): string {
  const before = (Array.isArray(change.before) ? change.before : []) as Array<Record<string, unknown>>;
  const after = (Array.isArray(change.after) ? change.after : []) as Array<Record<string, unknown>>;
  const differs = after
    .map((line, index) => ({ line, index }))
    .filter(({ line, index }) => JSON.stringify(describe(line)) !== JSON.stringify(describe(before[index] ?? {})));
  const listed = differs
    .map(({ line, index }) => `${index + 1}: ${describe(line)}`)
    .map((text) => `<li>${html(text)}</li>`)
    .join('');
  return `${before.length} → ${after.length} ${words(lang)('linesCount')}${listed ? `<ul>${listed}</ul>` : ''}`;
}

function describe(line: Record<string, unknown>): string {
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  return `${text(line.description)}, ${text(line.quantity)} × ${text(line.unit_price)} = ${text(line.line_net)}`;
}
