-- Up Migration
-- Alerts, their mail, silences and the report schedule (docs/alerts.md). The alerter keeps its
-- state here, not in memory, so a restart neither mails an alert again nor forgets one that
-- still waits to be mailed, and several daemons on one database mail each alert once.

-- One row per firing of a condition (or per one-off notice). A condition that fires again
-- after it resolved gets a new row: the table is the history `alerts list` shows.
CREATE TABLE alerts (
  id bigserial PRIMARY KEY,
  key text NOT NULL, -- condition:component, what silences match
  condition text NOT NULL,
  component text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  kind text NOT NULL CHECK (kind IN ('condition', 'notice')),
  -- Who reports the condition (monitor:HOST): its report each cycle resolves what it no longer sees.
  source text NOT NULL,
  summary text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}',
  fired_at timestamptz NOT NULL,
  resolved_at timestamptz,
  -- The last firing (or repeat) mail; null while it waits for its first.
  notified_at timestamptz,
  notifications integer NOT NULL DEFAULT 0,
  -- When the resolved mail went out; only an alert whose firing mail went out gets one.
  resolved_notified_at timestamptz,
  -- A firing mail was due but could not be sent: it is still owed, even if the alert resolves first.
  mail_failed_at timestamptz
);
-- One open firing per key.
CREATE UNIQUE INDEX alerts_open_key ON alerts (key) WHERE resolved_at IS NULL AND kind = 'condition';
CREATE INDEX alerts_fired_at ON alerts (fired_at);

-- Every mail the alerter sent (alerts, tests, reports), with whom it went to.
CREATE TABLE alert_notifications (
  id bigserial PRIMARY KEY,
  sent_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('alerts', 'test', 'report')),
  subject text NOT NULL,
  recipients text[] NOT NULL,
  alert_ids bigint[] NOT NULL DEFAULT '{}',
  message_id text
);
CREATE INDEX alert_notifications_sent_at ON alert_notifications (sent_at);

CREATE TABLE alert_silences (
  id bigserial PRIMARY KEY,
  -- An alert key, or a pattern with * (disk:*).
  matcher text NOT NULL,
  starts_at timestamptz NOT NULL DEFAULT now(),
  ends_at timestamptz NOT NULL,
  created_by text NOT NULL,
  reason text NOT NULL,
  CHECK (ends_at > starts_at)
);

-- When each report is next due (UTC instant of the local wall time), so a report missed while
-- no daemon ran is sent once at the next start, and a row lock keeps two daemons from both sending it.
CREATE TABLE report_schedule (
  kind text PRIMARY KEY CHECK (kind IN ('daily', 'weekly')),
  next_due_at timestamptz NOT NULL,
  last_sent_at timestamptz,
  last_period_start timestamptz,
  last_period_end timestamptz
);

-- Down Migration
DROP TABLE report_schedule;
DROP TABLE alert_silences;
DROP TABLE alert_notifications;
DROP TABLE alerts;
