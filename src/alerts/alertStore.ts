import type pg from 'pg';
import type { MailPlan, Silence, StoredAlert } from '../../machines/alertPolicy.ts';
import type { NoticeInput } from '../../machines/alerter.ts';
import type { FiringCondition } from '../../machines/monitor.ts';

/**
 * The alerter's state in PostgreSQL (migration 20261206030000_alerts): alerts, the mail sent
 * for them, silences. Times cross this boundary as ms since the epoch.
 */
type Queryable = pg.ClientBase | pg.Pool;

const ms = (value: Date | null): number | null => (value ? value.getTime() : null);
const at = (value: number | null): Date | null => (value === null ? null : new Date(value));

interface AlertRow {
  id: string;
  key: string;
  condition: string;
  component: string;
  severity: StoredAlert['severity'];
  kind: StoredAlert['kind'];
  source: string;
  summary: string;
  labels: Record<string, string>;
  fired_at: Date;
  resolved_at: Date | null;
  notified_at: Date | null;
  notifications: number;
  resolved_notified_at: Date | null;
  mail_failed_at: Date | null;
}

export interface AlertRecord extends StoredAlert {
  source: string;
  notifications: number;
}

function fromRow(row: AlertRow): AlertRecord {
  return {
    id: Number(row.id),
    key: row.key,
    condition: row.condition,
    component: row.component,
    severity: row.severity,
    kind: row.kind,
    source: row.source,
    summary: row.summary,
    labels: row.labels,
    firedAt: row.fired_at.getTime(),
    resolvedAt: ms(row.resolved_at),
    notifiedAt: ms(row.notified_at),
    notifications: row.notifications,
    resolvedNotifiedAt: ms(row.resolved_notified_at),
    mailFailedAt: ms(row.mail_failed_at),
  };
}

/**
 * Makes the open alerts of `source` what it reports now: new keys open (or, already mailed
 * while the database was away, open as mailed), missing keys resolve, a changed severity
 * resolves the old firing and opens one at the new severity.
 */
export async function recordSync(
  db: Queryable,
  source: string,
  firing: FiringCondition[],
  now: number,
  mailedWithoutDatabase: (key: string) => number | undefined = () => undefined,
): Promise<void> {
  const keys = firing.map((f) => f.key);
  await db.query(
    `UPDATE alerts SET resolved_at = $3
      WHERE kind = 'condition' AND source = $1 AND resolved_at IS NULL AND NOT (key = ANY($2::text[]))`,
    [source, keys, new Date(now)],
  );
  for (const f of firing) {
    await db.query(
      `UPDATE alerts SET resolved_at = $4
        WHERE kind = 'condition' AND source = $1 AND key = $2 AND resolved_at IS NULL AND severity <> $3`,
      [source, f.key, f.severity, new Date(f.at)],
    );
    const mailedAt = mailedWithoutDatabase(f.key);
    await db.query(
      `INSERT INTO alerts (key, condition, component, severity, kind, source, summary, fired_at, notified_at, notifications)
       VALUES ($1, $2, $3, $4, 'condition', $5, $6, $7, $8, $9)
       ON CONFLICT (key) WHERE resolved_at IS NULL AND kind = 'condition'
       DO UPDATE SET summary = EXCLUDED.summary`,
      [
        f.key,
        f.condition,
        f.component,
        f.severity,
        source,
        f.summary,
        new Date(f.at),
        at(mailedAt ?? null),
        mailedAt ? 1 : 0,
      ],
    );
  }
}

/** A one-off event: mailed once, never repeated, no resolved mail. */
export async function recordNotice(db: Queryable, notice: NoticeInput, source: string): Promise<void> {
  await db.query(
    `INSERT INTO alerts (key, condition, component, severity, kind, source, summary, labels, fired_at, resolved_at)
     VALUES ($1, $2, $3, $4, 'notice', $5, $6, $7, $8, $8)`,
    [
      `${notice.condition}:${notice.component}`,
      notice.condition,
      notice.component,
      notice.severity,
      source,
      notice.summary,
      notice.labels ?? {},
      new Date(notice.at),
    ],
  );
}

/** What the policy has to look at: open alerts, unsent notices, resolved alerts whose resolved mail is owed. */
export async function loadPending(db: Queryable): Promise<AlertRecord[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT * FROM alerts
      WHERE (kind = 'condition' AND resolved_at IS NULL)
         OR (kind = 'notice' AND notified_at IS NULL)
         OR (kind = 'condition' AND resolved_notified_at IS NULL AND (notified_at IS NOT NULL OR mail_failed_at IS NOT NULL))
      ORDER BY fired_at, id`,
  );
  return rows.map(fromRow);
}

export async function loadSilences(db: Queryable, now: number): Promise<Silence[]> {
  const { rows } = await db.query<{
    id: string;
    matcher: string;
    starts_at: Date;
    ends_at: Date;
    created_by: string;
    reason: string;
  }>(`SELECT * FROM alert_silences WHERE ends_at > $1 ORDER BY id`, [new Date(now)]);
  return rows.map((r) => ({
    id: Number(r.id),
    matcher: r.matcher,
    startsAt: r.starts_at.getTime(),
    endsAt: r.ends_at.getTime(),
    createdBy: r.created_by,
    reason: r.reason,
  }));
}

export async function addSilence(
  db: Queryable,
  silence: { matcher: string; startsAt: number; endsAt: number; createdBy: string; reason: string },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO alert_silences (matcher, starts_at, ends_at, created_by, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [silence.matcher, new Date(silence.startsAt), new Date(silence.endsAt), silence.createdBy, silence.reason],
  );
  return Number(rows[0]!.id);
}

/** Ends the silences of a matcher now; how many were active. */
export async function endSilences(db: Queryable, matcher: string, now: number): Promise<number> {
  const result = await db.query(
    `UPDATE alert_silences SET ends_at = greatest($2, starts_at + interval '1 millisecond') WHERE matcher = $1 AND ends_at > $2`,
    [matcher, new Date(now)],
  );
  return result.rowCount ?? 0;
}

export async function markSent(
  db: Queryable,
  plan: MailPlan,
  mail: { now: number; subject: string; recipients: string[]; messageId: string | null },
): Promise<void> {
  const now = new Date(mail.now);
  const firing = plan.firing.map((a) => a.id);
  const resolved = plan.resolved.map((a) => a.id);
  await db.query(
    `UPDATE alerts SET notified_at = $2, notifications = notifications + 1, mail_failed_at = NULL WHERE id = ANY($1::bigint[])`,
    [firing, now],
  );
  // A resolved alert whose firing mail never went out is told in this mail as both.
  await db.query(
    `UPDATE alerts SET resolved_notified_at = $2, notified_at = coalesce(notified_at, $2), mail_failed_at = NULL
      WHERE id = ANY($1::bigint[])`,
    [resolved, now],
  );
  await recordNotification(db, { ...mail, kind: 'alerts', alertIds: [...firing, ...resolved] });
}

/** A mail that was due could not be sent: what it held stays owed (see mail_failed_at). */
export async function markFailed(db: Queryable, plan: MailPlan, now: number): Promise<void> {
  await db.query(`UPDATE alerts SET mail_failed_at = $2 WHERE id = ANY($1::bigint[]) AND mail_failed_at IS NULL`, [
    plan.firing.map((a) => a.id),
    new Date(now),
  ]);
}

export async function recordNotification(
  db: Queryable,
  mail: {
    now: number;
    kind: 'alerts' | 'test' | 'report';
    subject: string;
    recipients: string[];
    alertIds?: number[];
    messageId: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO alert_notifications (sent_at, kind, subject, recipients, alert_ids, message_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [new Date(mail.now), mail.kind, mail.subject, mail.recipients, mail.alertIds ?? [], mail.messageId],
  );
}

/** The history: every alert fired (or resolved) since `since`, newest first. */
export async function listAlerts(db: Queryable, since: number): Promise<AlertRecord[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT * FROM alerts WHERE fired_at >= $1 OR resolved_at >= $1 OR resolved_at IS NULL ORDER BY fired_at DESC, id DESC`,
    [new Date(since)],
  );
  return rows.map(fromRow);
}

/** The advisory lock that makes one daemon at a time the one that mails (several may share a database). */
export const ALERTS_LOCK = 0x616c_7274; // 'alrt'
