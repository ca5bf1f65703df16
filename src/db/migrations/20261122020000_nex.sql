-- Up Migration
-- Approval and the NEX writer (issue 5). What the writer needs to survive a crash at any
-- instant without posting an invoice twice is kept on the invoice itself, next to its status.

ALTER TABLE invoices
  -- posting attempts since approval (or since a dead-letter replay), for the retry budget
  ADD COLUMN nex_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN nex_first_attempt_at timestamptz,
  -- set in the same commit that enters `posting`, before the request leaves: from then on
  -- NEX may hold the document, so every later attempt asks NEX first (reconciliation)
  ADD COLUMN nex_sent boolean NOT NULL DEFAULT false,
  ADD COLUMN nex_last_error text,
  ADD COLUMN nex_document_number text,
  ADD COLUMN nex_delivery_number text,
  ADD COLUMN posted_at timestamptz,
  ADD COLUMN posted_via text CHECK (posted_via IN ('api', 'reconciliation', 'already_imported', 'outbox')),
  ADD COLUMN outbox_file text,
  -- matching: null = not tried; 'matched' every line matched; 'partial'; 'unavailable' (gateway
  -- down or outbox mode)
  ADD COLUMN matching_status text CHECK (matching_status IN ('matched', 'partial', 'unavailable', 'not_applicable'));

-- The writer's queue: approved invoices, retries that are due, and posts left by a dead daemon.
CREATE INDEX invoices_nex_queue ON invoices (status, next_attempt_at)
  WHERE status IN ('approved', 'posting', 'retry');

-- One row per person per invoice: the unique index refuses the same approver twice, however
-- the name is capitalized.
CREATE TABLE invoice_approvals (
  invoice_id uuid NOT NULL REFERENCES invoices (id),
  approver text NOT NULL CHECK (btrim(approver) <> ''),
  approved_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invoice_approvals_once ON invoice_approvals (invoice_id, lower(btrim(approver)));

-- Supplier item codes learned from matches (EAN, name or an operator's choice), so the next
-- invoice of the same supplier matches its lines by code without asking the gateway.
CREATE TABLE supplier_items (
  supplier_ico text NOT NULL,
  item_code text NOT NULL,
  gs_code text NOT NULL,
  product_name text,
  learned_from text NOT NULL CHECK (learned_from IN ('ean', 'name', 'manual')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (supplier_ico, item_code)
);

-- Down Migration
DROP TABLE supplier_items;
DROP TABLE invoice_approvals;
DROP INDEX invoices_nex_queue;
ALTER TABLE invoices
  DROP COLUMN matching_status,
  DROP COLUMN outbox_file,
  DROP COLUMN posted_via,
  DROP COLUMN posted_at,
  DROP COLUMN nex_delivery_number,
  DROP COLUMN nex_document_number,
  DROP COLUMN nex_last_error,
  DROP COLUMN nex_sent,
  DROP COLUMN nex_first_attempt_at,
  DROP COLUMN nex_attempts;
