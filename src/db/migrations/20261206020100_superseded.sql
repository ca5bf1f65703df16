-- Up Migration
-- `superseded`: the stored copy of a drop-folder file that was still being written when it was
-- read (its size or mtime changed before the file was moved to processed/). The complete file is
-- stored as a new invoice; the old one ends here, links to it (superseded_by, set when the new
-- version is stored) and is never posted. It is not a duplicate: it never was the document.
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('received', 'extracting', 'extracted', 'validating', 'needs_review', 'validated', 'approved',
    'posting', 'retry', 'posted', 'dead_letter', 'unreadable', 'duplicate', 'rejected', 'superseded'));
ALTER TABLE invoices ADD COLUMN superseded_by uuid REFERENCES invoices (id);

-- A superseded copy holds no supplier + number: the complete version may carry the same ones.
DROP INDEX invoices_supplier_number;
CREATE UNIQUE INDEX invoices_supplier_number ON invoices (supplier_key, invoice_number)
  WHERE status NOT IN ('duplicate', 'rejected', 'superseded') AND supplier_key IS NOT NULL AND invoice_number IS NOT NULL;

-- Down Migration
DROP INDEX invoices_supplier_number;
CREATE UNIQUE INDEX invoices_supplier_number ON invoices (supplier_key, invoice_number)
  WHERE status NOT IN ('duplicate', 'rejected') AND supplier_key IS NOT NULL AND invoice_number IS NOT NULL;
ALTER TABLE invoices DROP COLUMN superseded_by;
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('received', 'extracting', 'extracted', 'validating', 'needs_review', 'validated', 'approved',
    'posting', 'retry', 'posted', 'dead_letter', 'unreadable', 'duplicate', 'rejected'));
