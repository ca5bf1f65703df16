-- Up Migration
-- The mailbox poller (issue 6). One row per mail it has handled, written after every document
-- of the mail was committed and before the mail is moved or marked on the server. The mail is
-- named by its place in the folder (UIDVALIDITY + UID: a UID is never reused while UIDVALIDITY
-- stays) and by its Message-ID, so a mail whose move failed, or the same mail delivered twice,
-- is recognized instead of read again.
CREATE TABLE processed_mail (
  mailbox text NOT NULL,
  uid_validity bigint NOT NULL,
  uid bigint NOT NULL,
  message_id text,
  outcome text NOT NULL CHECK (outcome IN ('received', 'rejected', 'unrecognized', 'duplicate')),
  rule text,
  invoice_ids uuid[] NOT NULL DEFAULT '{}',
  sender text,
  subject text,
  detail text,
  -- what is done with the mail on the server once this row is committed: move:<folder>, seen,
  -- flag, keyword:<keyword> (decided once, so a retried post-action does what was decided)
  post_action text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  -- set once the post-action (move, mark) succeeded; NULL: it is retried at the next pass
  acknowledged_at timestamptz,
  PRIMARY KEY (mailbox, uid_validity, uid)
);
CREATE INDEX processed_mail_message_id ON processed_mail (message_id) WHERE message_id IS NOT NULL;

-- The mail's recipients (To and Cc), beside sender, subject, message_id and sent_at.
ALTER TABLE invoices ADD COLUMN mail_to text;

-- Down Migration
ALTER TABLE invoices DROP COLUMN mail_to;
DROP TABLE processed_mail;
