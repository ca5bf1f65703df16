import { statusName } from './statusNames.ts';
import { html, words, type Lang } from './text.ts';

/** The invoice list of the overview and the work queue: each number links to the invoice page. */
export interface ListedInvoice {
  id: string;
  status: string;
  supplier_name: string | null;
  invoice_number: string | null;
  total_gross: string | null;
  currency?: string | null;
  received_at?: string;
  age_seconds?: number;
}

export function invoiceTable(lang: Lang, rows: ListedInvoice[]): string {
  const t = words(lang);
  if (rows.length === 0) return `<p>${t('none')}</p>`;
  const withReceived = rows.some((row) => row.received_at !== undefined);
  const withAge = rows.some((row) => row.age_seconds !== undefined);
  const head = [t('number'), t('supplier'), t('gross'), t('status')];
  if (withReceived) head.push(t('received'));
  if (withAge) head.push(t('age'));
  const body = rows.map((row) => {
    const cells = [
      `<a href="/invoices/${html(row.id)}">${html(row.invoice_number ?? row.id)}</a>`,
      html(row.supplier_name),
      `<span class="amount">${html(row.total_gross)}</span>${row.currency ? ` ${html(row.currency)}` : ''}`,
      `<span data-status="${html(row.status)}">${html(statusName(lang, row.status))}</span>`,
    ];
    if (withReceived) cells.push(`<time datetime="${html(row.received_at)}">${html(row.received_at)}</time>`);
    if (withAge) cells.push(row.age_seconds === undefined ? '' : waitedFor(row.age_seconds));
    return `<tr data-id="${html(row.id)}">${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return `<table class="invoices"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>
${body.join('\n')}
</tbody></table>`;
}

/** "3 d 4 h", "5 h 12 min", "7 min": two units are enough to see what has waited too long. */
export function waitedFor(seconds: number): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  return `${minutes} min`;
}
