import type pg from 'pg';
import { findQueue, queueSuppliers, QUEUE_PAGE_SIZE, type QueueFilter } from '../db/workQueue.ts';
import { INVOICE_STATUSES } from '../invoice/status.ts';
import { invoiceTable } from './invoiceTable.ts';
import { statusName } from './statusNames.ts';
import { html, words, type Lang } from './text.ts';

/**
 * Na spracovanie / Work queue: a GET form (so a filtered list is a link one can bookmark or
 * send), the matching invoices, and previous/next links that keep the filters.
 */
export async function queuePage(pool: pg.Pool, filter: QueueFilter, lang: Lang): Promise<string> {
  const t = words(lang);
  const [found, suppliers] = await Promise.all([findQueue(pool, filter), queueSuppliers(pool)]);
  const pages = Math.max(1, Math.ceil(found.total / QUEUE_PAGE_SIZE));
  const option = (value: string, label: string, selected: boolean) =>
    `<option value="${html(value)}"${selected ? ' selected' : ''}>${html(label)}</option>`;
  const form = `<form class="filters" method="get" action="/queue">
<label>${t('status')} <select name="status">${option('', t('waitingStatuses'), filter.status === null)}${INVOICE_STATUSES.map((s) => option(s, statusName(lang, s), filter.status === s)).join('')}</select></label>
<label>${t('supplier')} <select name="supplier">${option('', t('allSuppliers'), filter.supplier === null)}${suppliers.map((s) => option(s.key, s.name, filter.supplier === s.key)).join('')}</select></label>
<label>${t('receivedFrom')} <input type="date" name="from" value="${html(filter.from)}"></label>
<label>${t('receivedTo')} <input type="date" name="to" value="${html(filter.to)}"></label>
<label>${t('search')} <input type="search" name="q" value="${html(filter.q)}"></label>
<label>${t('sortBy')} <select name="sort">${option('age', t('sortAge'), filter.sort === 'age')}${option('amount', t('sortAmount'), filter.sort === 'amount')}</select></label>
<label>${t('direction')} <select name="dir">${option('desc', t('descending'), filter.dir === 'desc')}${option('asc', t('ascending'), filter.dir === 'asc')}</select></label>
<button type="submit">${t('filter')}</button>
</form>`;
  const previous =
    filter.page > 1 ? `<a rel="prev" href="${html(queueHref(filter, filter.page - 1))}">${t('previous')}</a>` : '';
  const next =
    filter.page < pages ? `<a rel="next" href="${html(queueHref(filter, filter.page + 1))}">${t('next')}</a>` : '';
  return `<h1>${t('workQueue')}</h1>
${form}
<p>${t('found')}: <strong id="queue-total">${found.total}</strong> · ${t('page')} ${filter.page} / ${pages}</p>
${invoiceTable(lang, found.rows)}
<nav class="paging" aria-label="${t('page')}">${previous} ${next}</nav>`;
}

/** The queue's address for another page with the same filters; defaults are left out. */
export function queueHref(filter: QueueFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.supplier) params.set('supplier', filter.supplier);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.q) params.set('q', filter.q);
  if (filter.sort !== 'age') params.set('sort', filter.sort);
  if (filter.dir !== 'desc') params.set('dir', filter.dir);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/queue?${query}` : '/queue';
}
