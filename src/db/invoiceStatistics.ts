import type pg from 'pg';

/**
 * What the console's overview counts: invoices by status, per day of arrival, per intake
 * channel, and the oldest ones waiting for a person. Days are the database's calendar days
 * (its time zone), written as ISO dates.
 */
export interface StatusCount {
  status: string;
  n: number;
}

export async function countByStatus(pool: pg.Pool): Promise<StatusCount[]> {
  return (
    await pool.query<StatusCount>('SELECT status, count(*)::int AS n FROM invoices GROUP BY status ORDER BY status')
  ).rows;
}

export interface DayCount {
  day: string;
  n: number;
}

/** One row per day from `days - 1` days ago to today, days without an invoice as 0. */
export async function receivedPerDay(pool: pg.Pool, days: number): Promise<DayCount[]> {
  return (
    await pool.query<DayCount>(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(i.id)::int AS n
       FROM generate_series(current_date - ($1::int - 1), current_date, interval '1 day') AS d(day)
       LEFT JOIN invoices i ON i.received_at >= d.day AND i.received_at < d.day + interval '1 day'
       GROUP BY d.day ORDER BY d.day`,
      [days],
    )
  ).rows;
}

export interface ChannelIntake {
  channel: string;
  n: number;
  /** ISO time of the newest invoice the channel received. */
  last_received_at: string;
}

export async function intakePerChannel(pool: pg.Pool): Promise<ChannelIntake[]> {
  return (
    await pool.query<ChannelIntake>(
      `SELECT channel, count(*)::int AS n,
         to_char(max(received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_received_at
       FROM invoices GROUP BY channel`,
    )
  ).rows;
}

export interface WaitingInvoice {
  id: string;
  status: string;
  supplier_name: string | null;
  invoice_number: string | null;
  total_gross: string | null;
  /** How long it has waited since it arrived. */
  age_seconds: number;
}

/** The statuses in which an invoice waits for a person: review, or approval. */
export const PERSON_STATUSES = ['needs_review', 'validated'] as const;

export async function oldestWaiting(pool: pg.Pool, limit: number): Promise<WaitingInvoice[]> {
  return (
    await pool.query<WaitingInvoice>(
      `SELECT id, status, supplier_name, invoice_number, total_gross::text AS total_gross,
         floor(extract(epoch FROM now() - received_at))::int AS age_seconds
       FROM invoices WHERE status = ANY($1) ORDER BY received_at, id LIMIT $2`,
      [PERSON_STATUSES, limit],
    )
  ).rows;
}

export async function countDeadLetters(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invoices WHERE status = 'dead_letter'"))
    .rows[0]!.n;
}
