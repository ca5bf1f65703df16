-- Up Migration
-- The durable invoice lifecycle (DESIGN.md §2). Amounts, quantities and prices are `numeric`
-- without a fixed scale, so they keep exactly the precision the document printed.

-- Original documents, stored once per content (the same bytes arriving twice are one row).
CREATE TABLE documents (
  id uuid PRIMARY KEY,
  sha256 text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents (id),
  status text NOT NULL CHECK (status IN ('received', 'extracting', 'extracted', 'validating', 'needs_review',
    'validated', 'approved', 'posting', 'retry', 'posted', 'dead_letter', 'unreadable', 'duplicate', 'rejected')),
  status_reason text,
  duplicate_of uuid REFERENCES invoices (id),

  -- where it came from
  channel text NOT NULL CHECK (channel IN ('drop_folder', 'http', 'email', 'import')),
  filename text NOT NULL,
  sender text,
  subject text,
  message_id text,
  sent_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- names this arrival at its source (a file's path, size and mtime; a message id), so that
  -- reading the same arrival again after a crash is recognized instead of stored twice
  intake_ref text,

  -- header as extracted
  document_type text CHECK (document_type IN ('invoice', 'credit_note', 'advance_invoice', 'payment_tax_document')),
  invoice_number text,
  issue_date date,
  tax_point_date date,
  due_date date,
  currency char(3),
  variable_symbol text,
  constant_symbol text,
  order_reference text,
  supplier_name text,
  supplier_ico text,
  supplier_dic text,
  supplier_ic_dph text,
  supplier_vat_id text,
  supplier_street text,
  supplier_city text,
  supplier_zip text,
  supplier_country text,
  supplier_iban text,
  supplier_bic text,
  customer_name text,
  customer_ico text,
  customer_dic text,
  customer_ic_dph text,
  customer_vat_id text,
  customer_street text,
  customer_city text,
  customer_zip text,
  customer_country text,
  vat_breakdown jsonb NOT NULL DEFAULT '[]',
  total_net numeric,
  total_vat numeric,
  total_gross numeric,
  amount_due numeric,
  notes jsonb NOT NULL DEFAULT '[]',
  source_format text,
  source_template text,
  source_fields jsonb NOT NULL DEFAULT '{}',
  extracted jsonb,

  -- validation and operator work, kept apart from what was extracted
  validation_status text CHECK (validation_status IN ('valid', 'invalid')),
  validation_problems jsonb NOT NULL DEFAULT '[]',
  operator_edits jsonb NOT NULL DEFAULT '{}',

  -- processing: who works on it (leases let several daemons share the table)
  lease_owner uuid,
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),

  CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL))
);
CREATE INDEX invoices_status ON invoices (status, received_at);
CREATE INDEX invoices_document ON invoices (document_id);
-- One real invoice per supplier and number; duplicates (and rejected ones) point to it instead.
CREATE UNIQUE INDEX invoices_supplier_number ON invoices (supplier_ico, invoice_number)
  WHERE status NOT IN ('duplicate', 'rejected') AND supplier_ico IS NOT NULL AND invoice_number IS NOT NULL;
-- One real invoice per document content.
CREATE UNIQUE INDEX invoices_document_original ON invoices (document_id) WHERE status <> 'duplicate';
CREATE UNIQUE INDEX invoices_intake_ref ON invoices (channel, intake_ref, document_id) WHERE intake_ref IS NOT NULL;

CREATE TABLE invoice_lines (
  invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  line_number integer NOT NULL,
  item_code text,
  ean text,
  description text,
  quantity numeric,
  unit text,
  discount_percent numeric,
  unit_price numeric,
  unit_price_with_vat numeric,
  vat_rate numeric,
  line_net numeric,
  line_gross numeric,
  -- product matching (the NEX writer fills these in)
  nex_product_id text,
  nex_plu text,
  matched_by text CHECK (matched_by IN ('ean', 'seller_code', 'name', 'manual')),
  match_confidence numeric,
  match_alternatives jsonb NOT NULL DEFAULT '[]',
  operator_edits jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (invoice_id, line_number)
);

-- Append-only history: one row per transition, numbered without gaps per invoice.
CREATE TABLE invoice_events (
  invoice_id uuid NOT NULL REFERENCES invoices (id),
  seq integer NOT NULL CHECK (seq >= 1),
  at timestamptz NOT NULL DEFAULT now(),
  from_status text,
  to_status text NOT NULL,
  reason text,
  actor text NOT NULL,
  details jsonb,
  PRIMARY KEY (invoice_id, seq)
);
CREATE FUNCTION invoice_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'invoice_events is append-only';
END $$;
CREATE TRIGGER invoice_events_no_change BEFORE UPDATE OR DELETE ON invoice_events
  FOR EACH ROW EXECUTE FUNCTION invoice_events_append_only();

-- Down Migration
DROP TABLE invoice_events;
DROP FUNCTION invoice_events_append_only();
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE documents;
