-- Up Migration
-- The mailbox poller, second round (docs/mailbox.md).
--
-- 1. A mail's place names the account too. UIDVALIDITY + UID only identify a mail within one
--    mailbox of one server: after a switch to another account or server (or a mailbox restored
--    with the same UIDVALIDITY), a new mail with a UID seen before was skipped, or moved with
--    nothing stored. `account` is user@host; rows written before this migration keep '' and are
--    no longer matched (a mail they describe that is still waiting is read again, which the
--    store recognizes as a replay of the same documents).
--    `mail_date` (the envelope Date) joins message_id, sender and subject as what a record is
--    compared with before it is trusted.
ALTER TABLE processed_mail ADD COLUMN account text NOT NULL DEFAULT '';
ALTER TABLE processed_mail ALTER COLUMN account DROP DEFAULT;
ALTER TABLE processed_mail ADD COLUMN mail_date timestamptz;
ALTER TABLE processed_mail DROP CONSTRAINT processed_mail_pkey;
ALTER TABLE processed_mail ADD PRIMARY KEY (account, mailbox, uid_validity, uid);

-- 2. `failed`: a mail that failed intake.imap.maxMailAttempts times (not for a lost connection
--    or database): given up, moved to the unrecognized folder, the operator told.
ALTER TABLE processed_mail DROP CONSTRAINT processed_mail_outcome_check;
ALTER TABLE processed_mail ADD CONSTRAINT processed_mail_outcome_check
  CHECK (outcome IN ('received', 'rejected', 'unrecognized', 'duplicate', 'failed'));

-- 3. The failed attempts of mails not yet handled, so one that always fails is counted
--    instead of being deferred forever. The row goes once the mail is recorded in processed_mail.
CREATE TABLE mail_attempts (
  account text NOT NULL,
  mailbox text NOT NULL,
  uid_validity bigint NOT NULL,
  uid bigint NOT NULL,
  message_id text,
  sender text,
  subject text,
  mail_date timestamptz,
  attempts integer NOT NULL,
  last_error text NOT NULL,
  last_error_code text,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, mailbox, uid_validity, uid)
);

-- Down Migration
DROP TABLE mail_attempts;
DELETE FROM processed_mail WHERE outcome = 'failed';
ALTER TABLE processed_mail DROP CONSTRAINT processed_mail_outcome_check;
ALTER TABLE processed_mail ADD CONSTRAINT processed_mail_outcome_check
  CHECK (outcome IN ('received', 'rejected', 'unrecognized', 'duplicate'));
-- The old key has no account: of the rows of several accounts at one place, the newest stays.
DELETE FROM processed_mail older USING processed_mail newer
  WHERE older.mailbox = newer.mailbox AND older.uid_validity = newer.uid_validity AND older.uid = newer.uid
    AND (older.processed_at, older.account) < (newer.processed_at, newer.account);
ALTER TABLE processed_mail DROP CONSTRAINT processed_mail_pkey;
ALTER TABLE processed_mail ADD PRIMARY KEY (mailbox, uid_validity, uid);
ALTER TABLE processed_mail DROP COLUMN mail_date;
ALTER TABLE processed_mail DROP COLUMN account;
