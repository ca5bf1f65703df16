import type pg from 'pg';

/** The pipeline's own signals, read from the database in one round trip. */
export interface PipelineSignals {
  oldestReviewAt: number | null;
  waitingForPerson: number;
  deadLetters: number;
  unreadableLastHour: number;
  lastInvoiceAt: number | null;
  lastByChannel: Record<string, number>;
}

export async function readPipelineSignals(db: pg.Pool | pg.ClientBase, now: number): Promise<PipelineSignals> {
  const { rows } = await db.query<{
    oldest_review: Date | null;
    waiting: string;
    dead_letters: string;
    unreadable: string;
    last_invoice: Date | null;
    by_channel: Record<string, string> | null;
  }>(
    `SELECT
       (SELECT min(received_at) FROM invoices WHERE status = 'needs_review') AS oldest_review,
       (SELECT count(*) FROM invoices WHERE status = 'needs_review') AS waiting,
       (SELECT count(*) FROM invoices WHERE status = 'dead_letter') AS dead_letters,
       (SELECT count(*) FROM invoices WHERE status = 'unreadable' AND updated_at > $1::timestamptz - interval '1 hour') AS unreadable,
       (SELECT max(received_at) FROM invoices) AS last_invoice,
       (SELECT jsonb_object_agg(channel, last) FROM (SELECT channel, max(received_at) AS last FROM invoices GROUP BY channel) c) AS by_channel`,
    [new Date(now)],
  );
  const row = rows[0]!;
  return {
    oldestReviewAt: row.oldest_review?.getTime() ?? null,
    waitingForPerson: Number(row.waiting),
    deadLetters: Number(row.dead_letters),
    unreadableLastHour: Number(row.unreadable),
    lastInvoiceAt: row.last_invoice?.getTime() ?? null,
    lastByChannel: Object.fromEntries(Object.entries(row.by_channel ?? {}).map(([k, v]) => [k, Date.parse(v)])),
  };
}
