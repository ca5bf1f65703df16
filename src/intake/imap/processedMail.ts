import type pg from 'pg';

/**
 * The processed_mail table: the memory that keeps a mail from being read twice. A row is
 * written after every document of the mail is committed and before the mail is moved or
 * marked on the server; `acknowledged_at` is set once that post-action succeeded.
 */
export type MailOutcome = 'received' | 'rejected' | 'unrecognized' | 'duplicate';

export interface MailPlace {
  mailbox: string;
  uidValidity: bigint;
  uid: number;
}

export interface ProcessedMail {
  uid: number;
  outcome: MailOutcome;
  postAction: string;
  acknowledged: boolean;
}

export interface MailRecord extends MailPlace {
  messageId: string | null;
  outcome: MailOutcome;
  rule: string | null;
  invoiceIds: string[];
  sender: string | null;
  subject: string | null;
  detail: string | null;
  postAction: string;
}

/** The handled mails among these UIDs (one query per pass, not one per mail). */
export async function findProcessed(
  pool: pg.Pool,
  mailbox: string,
  uidValidity: bigint,
  uids: number[],
): Promise<Map<number, ProcessedMail>> {
  if (uids.length === 0) return new Map();
  const found = await pool.query<{ uid: string; outcome: MailOutcome; post_action: string; acknowledged: boolean }>(
    `SELECT uid, outcome, post_action, acknowledged_at IS NOT NULL AS acknowledged FROM processed_mail
     WHERE mailbox = $1 AND uid_validity = $2 AND uid = ANY($3::bigint[])`,
    [mailbox, uidValidity.toString(), uids],
  );
  return new Map(
    found.rows.map((row) => [
      Number(row.uid),
      { uid: Number(row.uid), outcome: row.outcome, postAction: row.post_action, acknowledged: row.acknowledged },
    ]),
  );
}

/** An earlier mail with this Message-ID that was stored (the same mail delivered or copied twice). */
export async function findByMessageId(
  pool: pg.Pool,
  messageId: string,
): Promise<{ mailbox: string; uid: number; invoiceIds: string[] } | undefined> {
  const found = await pool.query<{ mailbox: string; uid: string; invoice_ids: string[] }>(
    `SELECT mailbox, uid, invoice_ids FROM processed_mail WHERE message_id = $1 AND outcome = 'received'
     ORDER BY processed_at LIMIT 1`,
    [messageId],
  );
  const row = found.rows[0];
  return row && { mailbox: row.mailbox, uid: Number(row.uid), invoiceIds: row.invoice_ids };
}

/** Idempotent: a mail recorded by an earlier pass (that died before its post-action) keeps its first record. */
export async function recordProcessed(pool: pg.Pool, record: MailRecord): Promise<void> {
  await pool.query(
    `INSERT INTO processed_mail (mailbox, uid_validity, uid, message_id, outcome, rule, invoice_ids, sender, subject,
       detail, post_action)
     VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11)
     ON CONFLICT (mailbox, uid_validity, uid) DO NOTHING`,
    [
      record.mailbox,
      record.uidValidity.toString(),
      record.uid,
      record.messageId,
      record.outcome,
      record.rule,
      record.invoiceIds,
      record.sender,
      record.subject,
      record.detail,
      record.postAction,
    ],
  );
}

export async function markAcknowledged(pool: pg.Pool, place: MailPlace): Promise<void> {
  await pool.query(
    'UPDATE processed_mail SET acknowledged_at = now() WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3',
    [place.mailbox, place.uidValidity.toString(), place.uid],
  );
}
