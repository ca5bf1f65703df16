import type pg from 'pg';

/**
 * The processed_mail table: the memory that keeps a mail from being read twice. A row is
 * written after every document of the mail is committed and before the mail is moved or
 * marked on the server; `acknowledged_at` is set once that post-action succeeded.
 *
 * A mail's place is its account (user@host), folder, UIDVALIDITY and UID. A record is trusted
 * only for the mail it describes: its Message-ID, sender, subject and date must be the ones
 * the server shows at that place now (a mailbox restored with the same UIDVALIDITY reuses UIDs).
 *
 * mail_attempts counts the failed attempts of a mail not yet recorded, so one that always
 * fails is given up instead of being deferred forever.
 */
export type MailOutcome = 'received' | 'rejected' | 'unrecognized' | 'duplicate' | 'failed';

export interface MailPlace {
  account: string;
  mailbox: string;
  uidValidity: bigint;
  uid: number;
}

/** What the envelope says of a mail; the same values are stored with its record. */
export interface MailIdentity {
  messageId: string | null;
  sender: string | null;
  subject: string | null;
  date: Date | null;
}

export interface ProcessedMail extends MailIdentity {
  uid: number;
  outcome: MailOutcome;
  postAction: string;
  acknowledged: boolean;
}

export interface MailRecord extends MailPlace, MailIdentity {
  outcome: MailOutcome;
  rule: string | null;
  invoiceIds: string[];
  detail: string | null;
  postAction: string;
}

/** Whether a stored record describes this mail (a record at a reused place describes another). */
export function sameMail(a: MailIdentity, b: MailIdentity): boolean {
  return (
    a.messageId === b.messageId &&
    a.sender === b.sender &&
    a.subject === b.subject &&
    (a.date?.getTime() ?? null) === (b.date?.getTime() ?? null)
  );
}

const placeValues = (place: MailPlace) => [place.account, place.mailbox, place.uidValidity.toString(), place.uid];

/** The handled mails among these UIDs (one query per pass, not one per mail). */
export async function findProcessed(
  pool: pg.Pool,
  place: Omit<MailPlace, 'uid'>,
  uids: number[],
): Promise<Map<number, ProcessedMail>> {
  if (uids.length === 0) return new Map();
  const found = await pool.query<{
    uid: string;
    outcome: MailOutcome;
    post_action: string;
    acknowledged: boolean;
    message_id: string | null;
    sender: string | null;
    subject: string | null;
    mail_date: Date | null;
  }>(
    `SELECT uid, outcome, post_action, acknowledged_at IS NOT NULL AS acknowledged, message_id, sender, subject, mail_date
     FROM processed_mail WHERE account = $1 AND mailbox = $2 AND uid_validity = $3 AND uid = ANY($4::bigint[])`,
    [place.account, place.mailbox, place.uidValidity.toString(), uids],
  );
  return new Map(
    found.rows.map((row) => [
      Number(row.uid),
      {
        uid: Number(row.uid),
        outcome: row.outcome,
        postAction: row.post_action,
        acknowledged: row.acknowledged,
        messageId: row.message_id,
        sender: row.sender,
        subject: row.subject,
        date: row.mail_date,
      },
    ]),
  );
}

/**
 * Idempotent for the same mail: one recorded by an earlier pass (that died before its
 * post-action) keeps its first record. A record of another mail at this place (a reused UID)
 * is replaced. The mail's failed attempts, if any, are forgotten in the same statement.
 */
export async function recordProcessed(pool: pg.Pool, record: MailRecord): Promise<void> {
  await pool.query(
    `WITH forgotten AS (
       DELETE FROM mail_attempts WHERE account = $1 AND mailbox = $2 AND uid_validity = $3 AND uid = $4)
     INSERT INTO processed_mail AS p (account, mailbox, uid_validity, uid, message_id, sender, subject, mail_date,
       outcome, rule, invoice_ids, detail, post_action)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid[], $12, $13)
     ON CONFLICT (account, mailbox, uid_validity, uid) DO UPDATE SET message_id = EXCLUDED.message_id,
       sender = EXCLUDED.sender, subject = EXCLUDED.subject, mail_date = EXCLUDED.mail_date,
       outcome = EXCLUDED.outcome, rule = EXCLUDED.rule, invoice_ids = EXCLUDED.invoice_ids,
       detail = EXCLUDED.detail, post_action = EXCLUDED.post_action, processed_at = now(), acknowledged_at = NULL
     WHERE (p.message_id, p.sender, p.subject, p.mail_date)
       IS DISTINCT FROM (EXCLUDED.message_id, EXCLUDED.sender, EXCLUDED.subject, EXCLUDED.mail_date)`,
    [
      ...placeValues(record),
      record.messageId,
      record.sender,
      record.subject,
      record.date,
      record.outcome,
      record.rule,
      record.invoiceIds,
      record.detail,
      record.postAction,
    ],
  );
}

/** Notes that these mails (of one folder) were moved or marked: one statement for a burst. */
export async function markAcknowledged(pool: pg.Pool, places: MailPlace[]): Promise<void> {
  const [first] = places;
  if (!first) return;
  await pool.query(
    `UPDATE processed_mail SET acknowledged_at = now()
     WHERE account = $1 AND mailbox = $2 AND uid_validity = $3 AND uid = ANY($4::bigint[])`,
    [first.account, first.mailbox, first.uidValidity.toString(), places.map((place) => place.uid)],
  );
}

/** Another mail's record that holds one of these invoices (the same mail delivered twice). */
export async function findRecordHolding(
  pool: pg.Pool,
  invoiceIds: string[],
  place: MailPlace,
): Promise<{ mailbox: string; uid: number } | undefined> {
  const found = await pool.query<{ mailbox: string; uid: string }>(
    `SELECT mailbox, uid FROM processed_mail
     WHERE invoice_ids && $5::uuid[] AND NOT (account = $1 AND mailbox = $2 AND uid_validity = $3 AND uid = $4)
     ORDER BY processed_at LIMIT 1`,
    [...placeValues(place), invoiceIds],
  );
  const row = found.rows[0];
  return row && { mailbox: row.mailbox, uid: Number(row.uid) };
}

/**
 * Counts one more failed attempt of the mail at this place, and answers how many there were.
 * An attempts row of another mail at this place (a reused UID) starts over.
 */
export async function recordFailedAttempt(
  pool: pg.Pool,
  place: MailPlace,
  mail: MailIdentity,
  error: { message: string; code: string },
): Promise<number> {
  const counted = await pool.query<{ attempts: number }>(
    `INSERT INTO mail_attempts AS a (account, mailbox, uid_validity, uid, message_id, sender, subject, mail_date,
       attempts, last_error, last_error_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)
     ON CONFLICT (account, mailbox, uid_validity, uid) DO UPDATE SET
       attempts = CASE WHEN (a.message_id, a.sender, a.subject, a.mail_date)
                         IS NOT DISTINCT FROM (EXCLUDED.message_id, EXCLUDED.sender, EXCLUDED.subject, EXCLUDED.mail_date)
                       THEN a.attempts + 1 ELSE 1 END,
       first_failed_at = CASE WHEN (a.message_id, a.sender, a.subject, a.mail_date)
                         IS NOT DISTINCT FROM (EXCLUDED.message_id, EXCLUDED.sender, EXCLUDED.subject, EXCLUDED.mail_date)
                       THEN a.first_failed_at ELSE now() END,
       message_id = EXCLUDED.message_id, sender = EXCLUDED.sender, subject = EXCLUDED.subject,
       mail_date = EXCLUDED.mail_date, last_error = EXCLUDED.last_error, last_error_code = EXCLUDED.last_error_code,
       last_failed_at = now()
     RETURNING attempts`,
    [...placeValues(place), mail.messageId, mail.sender, mail.subject, mail.date, error.message, error.code],
  );
  return counted.rows[0]!.attempts;
}
