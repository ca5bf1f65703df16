import type pg from 'pg';

/** What a report says about a period, read from the database; amounts stay decimal strings. */
export interface ReportData {
  from: number;
  to: number;
  byStatus: Array<{ status: string; channel: string; currency: string; count: number; gross: string }>;
  reviewSuppliers: Array<{ supplier: string; reviews: number }>;
  oldestWaiting: Array<{ id: string; supplier: string; number: string; receivedAt: number }>;
  deadLetters: { open: number; newInPeriod: number };
  unreadable: Array<{ reason: string; count: number }>;
  alerts: Array<{ severity: string; condition: string; count: number }>;
}

type Db = pg.ClientBase | pg.Pool;

async function inSequence<T extends unknown[]>(steps: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results: unknown[] = [];
  for (const step of steps as Array<() => Promise<unknown>>) results.push(await step());
  return results as T;
}

export async function readReportData(db: Db, from: number, to: number): Promise<ReportData> {
  const period = [new Date(from), new Date(to)];
  // One after another: `db` may be a single client, which runs one query at a time.
  const [byStatus, suppliers, oldest, dead, unreadable, alerts] = await inSequence([
    () =>
      db.query<{ status: string; channel: string; currency: string | null; count: string; gross: string | null }>(
        `SELECT status, channel, currency, count(*) AS count, sum(total_gross)::text AS gross
         FROM invoices WHERE received_at >= $1 AND received_at < $2
        GROUP BY status, channel, currency ORDER BY status, channel, currency`,
        period,
      ),
    () =>
      db.query<{ supplier: string | null; reviews: string }>(
        `SELECT i.supplier_name AS supplier, count(DISTINCT i.id) AS reviews
         FROM invoices i JOIN invoice_events e ON e.invoice_id = i.id AND e.to_status = 'needs_review'
        WHERE i.received_at >= $1 AND i.received_at < $2
        GROUP BY i.supplier_name ORDER BY reviews DESC, supplier LIMIT 5`,
        period,
      ),
    () =>
      db.query<{ id: string; supplier: string | null; number: string | null; received_at: Date }>(
        `SELECT id, supplier_name AS supplier, invoice_number AS number, received_at
         FROM invoices WHERE status = 'needs_review' AND received_at < $1 ORDER BY received_at LIMIT 5`,
        [new Date(to)],
      ),
    () =>
      db.query<{ open: string; new_in_period: string }>(
        `SELECT count(*) AS open, count(*) FILTER (WHERE received_at >= $1 AND received_at < $2) AS new_in_period
         FROM invoices WHERE status = 'dead_letter'`,
        period,
      ),
    () =>
      db.query<{ reason: string | null; count: string }>(
        `SELECT status_reason AS reason, count(*) AS count FROM invoices
        WHERE status = 'unreadable' AND received_at >= $1 AND received_at < $2
        GROUP BY status_reason ORDER BY count DESC, reason`,
        period,
      ),
    () =>
      db.query<{ severity: string; condition: string; count: string }>(
        `SELECT severity, condition, count(*) AS count FROM alerts WHERE fired_at >= $1 AND fired_at < $2
        GROUP BY severity, condition ORDER BY min(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END), count DESC, condition`,
        period,
      ),
  ]);
  return {
    from,
    to,
    byStatus: byStatus.rows.map((r) => ({
      ...r,
      currency: r.currency ?? '',
      count: Number(r.count),
      gross: r.gross ?? '0',
    })),
    reviewSuppliers: suppliers.rows.map((r) => ({ supplier: r.supplier ?? '?', reviews: Number(r.reviews) })),
    oldestWaiting: oldest.rows.map((r) => ({
      id: r.id,
      supplier: r.supplier ?? '?',
      number: r.number ?? '?',
      receivedAt: r.received_at.getTime(),
    })),
    deadLetters: { open: Number(dead.rows[0]!.open), newInPeriod: Number(dead.rows[0]!.new_in_period) },
    unreadable: unreadable.rows.map((r) => ({ reason: r.reason ?? '?', count: Number(r.count) })),
    alerts: alerts.rows.map((r) => ({ ...r, count: Number(r.count) })),
  };
}
