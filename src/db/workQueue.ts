import type pg from 'pg';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice/status.ts';
import { PERSON_STATUSES } from './invoiceStatistics.ts';

/**
 * The console's work queue: the invoices waiting for a person (or those of one status),
 * narrowed by supplier, arrival dates and a search, in a whitelisted order, a page at a time.
 * Every value the caller gives reaches the SQL as a parameter; only the order's two words come
 * from the whitelist below.
 */
export const QUEUE_PAGE_SIZE = 50;

export type QueueSort = 'age' | 'amount';
export type SortDirection = 'asc' | 'desc';

export interface QueueFilter {
  /** One status, or null for both statuses that wait for a person. */
  status: InvoiceStatus | null;
  supplier: string | null;
  /** ISO dates, both inclusive. */
  from: string | null;
  to: string | null;
  q: string | null;
  sort: QueueSort;
  dir: SortDirection;
  page: number;
}

export interface QueueRow {
  id: string;
  status: string;
  supplier_name: string | null;
  supplier_ico: string | null;
  invoice_number: string | null;
  total_gross: string | null;
  currency: string | null;
  received_at: string;
  /** How long it has waited since it arrived. */
  age_seconds: number;
}

export interface QueuePage {
  rows: QueueRow[];
  total: number;
}

export interface QueueSupplier {
  key: string;
  name: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  // 2026-02-30 passes the pattern but is no day: Date rolls it over, the round trip shows it.
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null;
}

/** Reads a query string; anything not understood falls back to the default, never into the SQL. */
export function parseQueueFilter(query: Record<string, unknown>): QueueFilter {
  const status = INVOICE_STATUSES.find((known) => known === query.status) ?? null;
  const page = Number(query.page);
  return {
    status,
    supplier: text(query.supplier),
    from: isoDate(query.from),
    to: isoDate(query.to),
    q: text(query.q),
    sort: query.sort === 'amount' ? 'amount' : 'age',
    dir: query.dir === 'asc' ? 'asc' : 'desc',
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

/** `%`, `_` and the escape character itself match literally in the search. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// Age descending is the oldest first; amount without one goes last either way. The columns are
// qualified: unqualified, ORDER BY would take the SELECT's text aliases and sort amounts as text.
const ORDER: Record<QueueSort, Record<SortDirection, string>> = {
  age: { desc: 'invoices.received_at ASC, id ASC', asc: 'invoices.received_at DESC, id DESC' },
  amount: {
    asc: 'invoices.total_gross ASC NULLS LAST, id ASC',
    desc: 'invoices.total_gross DESC NULLS LAST, id ASC',
  },
};

export async function findQueue(pool: pg.Pool, filter: QueueFilter): Promise<QueuePage> {
  const found = await pool.query<QueueRow & { total: number }>(
    `SELECT id, status, supplier_name, supplier_ico, invoice_number, total_gross::text AS total_gross, currency,
       to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS received_at,
       floor(extract(epoch FROM now() - received_at))::int AS age_seconds,
       count(*) OVER ()::int AS total
     FROM invoices
     WHERE CASE WHEN $1::text IS NULL THEN status = ANY($2) ELSE status = $1 END
       AND ($3::text IS NULL OR supplier_key = $3)
       AND ($4::date IS NULL OR received_at >= $4::date)
       AND ($5::date IS NULL OR received_at < $5::date + 1)
       AND ($6::text IS NULL OR invoice_number ILIKE $6 ESCAPE '\\' OR supplier_name ILIKE $6 ESCAPE '\\'
         OR supplier_ico ILIKE $6 ESCAPE '\\' OR supplier_vat_id ILIKE $6 ESCAPE '\\'
         OR supplier_ic_dph ILIKE $6 ESCAPE '\\' OR supplier_dic ILIKE $6 ESCAPE '\\')
     ORDER BY ${ORDER[filter.sort][filter.dir]}
     LIMIT $7 OFFSET $8`,
    [
      filter.status,
      PERSON_STATUSES,
      filter.supplier,
      filter.from,
      filter.to,
      filter.q === null ? null : likePattern(filter.q),
      QUEUE_PAGE_SIZE,
      (filter.page - 1) * QUEUE_PAGE_SIZE,
    ],
  );
  const total = found.rows[0]?.total ?? (filter.page > 1 ? await countQueue(pool, filter) : 0);
  return { rows: found.rows.map(({ total: _total, ...row }) => row), total };
}

/** A page past the end has no rows to carry the total: count once more so the page can link back. */
async function countQueue(pool: pg.Pool, filter: QueueFilter): Promise<number> {
  return (await findQueue(pool, { ...filter, page: 1 })).total;
}

/** The suppliers the queue's select offers: those with an invoice waiting for a person. */
export async function queueSuppliers(pool: pg.Pool): Promise<QueueSupplier[]> {
  return (
    await pool.query<QueueSupplier>(
      `SELECT supplier_key AS key, max(coalesce(supplier_name, supplier_key)) AS name
       FROM invoices WHERE status = ANY($1) AND supplier_key IS NOT NULL
       GROUP BY supplier_key ORDER BY 2 LIMIT 500`,
      [PERSON_STATUSES],
    )
  ).rows;
}
