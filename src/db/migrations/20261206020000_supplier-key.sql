-- Up Migration
-- Who sent an invoice, as one key (src/invoice/supplierKey.ts): the IČO, else the VAT id / IČ DPH,
-- else the normalized name + IBAN. "Same supplier + number" was matched on supplier_ico only, so
-- suppliers without an IČO (German, Austrian, Czech with only a VAT id) were never caught and the
-- same invoice was posted twice. The key is computed when an extraction is stored; rows stored
-- before this migration get it here, by the same rules.
ALTER TABLE invoices ADD COLUMN supplier_key text;

UPDATE invoices SET supplier_key = CASE
    WHEN nullif(regexp_replace(coalesce(supplier_ico, ''), '[\s./-]+', '', 'g'), '') IS NOT NULL
      THEN regexp_replace(supplier_ico, '[\s./-]+', '', 'g')
    WHEN nullif(regexp_replace(coalesce(supplier_vat_id, ''), '[\s./-]+', '', 'g'), '') IS NOT NULL
      THEN upper(regexp_replace(supplier_vat_id, '[\s./-]+', '', 'g'))
    WHEN nullif(regexp_replace(coalesce(supplier_ic_dph, ''), '[\s./-]+', '', 'g'), '') IS NOT NULL
      THEN upper(regexp_replace(supplier_ic_dph, '[\s./-]+', '', 'g'))
    WHEN nullif(regexp_replace(coalesce(supplier_iban, ''), '[\s./-]+', '', 'g'), '') IS NOT NULL
      AND btrim(regexp_replace(lower(translate(coalesce(supplier_name, ''),
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ',
        'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs')),
        '[^a-z0-9]+', ' ', 'g')) <> ''
      THEN btrim(regexp_replace(lower(translate(supplier_name,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ',
        'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs')),
        '[^a-z0-9]+', ' ', 'g'))
        || '|' || upper(regexp_replace(supplier_iban, '[\s./-]+', '', 'g'))
  END
WHERE extracted IS NOT NULL;

-- Invoices that got through twice before this key existed (the defect this fixes) would stop the
-- unique index below. The earliest keeps the key; each later one keeps its status (it may be
-- posted already: that is for a person to sort out in NEX) and loses the key, with an event that
-- names the earlier invoice, so new copies are matched against the earliest.
WITH ranked AS (
  SELECT id, status, first_value(id) OVER w AS earliest, row_number() OVER w AS n
  FROM invoices
  WHERE status NOT IN ('duplicate', 'rejected') AND supplier_key IS NOT NULL AND invoice_number IS NOT NULL
  WINDOW w AS (PARTITION BY supplier_key, invoice_number ORDER BY received_at, id)
),
cleared AS (
  UPDATE invoices i SET supplier_key = NULL FROM ranked r WHERE i.id = r.id AND r.n > 1
  RETURNING i.id, r.status, r.earliest
)
INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
SELECT c.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_events e WHERE e.invoice_id = c.id), c.status, c.status,
  'the same supplier and number as invoice ' || c.earliest || ', stored before suppliers without an IČO were matched; check NEX for a double posting',
  'migration', jsonb_build_object('same_as', c.earliest, 'by', 'supplier_key')
FROM cleared c;

DROP INDEX invoices_supplier_number;
-- One real invoice per supplier and number; duplicates (and rejected ones) point to it instead.
CREATE UNIQUE INDEX invoices_supplier_number ON invoices (supplier_key, invoice_number)
  WHERE status NOT IN ('duplicate', 'rejected') AND supplier_key IS NOT NULL AND invoice_number IS NOT NULL;

-- Down Migration
DROP INDEX invoices_supplier_number;
CREATE UNIQUE INDEX invoices_supplier_number ON invoices (supplier_ico, invoice_number)
  WHERE status NOT IN ('duplicate', 'rejected') AND supplier_ico IS NOT NULL AND invoice_number IS NOT NULL;
ALTER TABLE invoices DROP COLUMN supplier_key;
