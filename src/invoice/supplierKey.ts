import type { SupplierParty } from './normalizedInvoice.ts';

/**
 * Who sent an invoice, as one text: what "the same supplier + number" is matched on, what the
 * partial unique index invoices_supplier_number holds, and what names the supplier in outbox
 * files. Foreign suppliers often have no IČO (a German GmbH has a VAT id, an Austrian one an
 * UID), and matching on IČO alone let their invoices through twice. So, the first that exists:
 *
 * 1. the IČO (8 digits), as printed without spaces: `36555720`;
 * 2. the VAT id, else the IČ DPH, upper case without spaces, dots or dashes: `DE123456789`;
 * 3. the normalized name and the IBAN: `muller baustoffe gmbh|AT611904300234573201`.
 *
 * The kinds cannot be confused: an IČO is digits only, a VAT id starts with its country
 * prefix and has no `|`. Without any of them there is no key, and only the file hash catches
 * a copy. The migration 20261206020000_supplier-key.sql computes the same key in SQL for rows
 * stored before it; keep the two in step (test/pipeline/supplierKey.test.ts compares them).
 */
export type SupplierIdentity = Pick<SupplierParty, 'ico' | 'vat_id' | 'ic_dph' | 'name' | 'iban'>;

export function supplierKey(supplier: SupplierIdentity): string | null {
  const ico = compact(supplier.ico);
  if (ico) return ico;
  const vat = compact(supplier.vat_id) ?? compact(supplier.ic_dph);
  if (vat) return vat.toUpperCase();
  const name = normalizedName(supplier.name);
  const iban = compact(supplier.iban)?.toUpperCase();
  return name && iban ? `${name}|${iban}` : null;
}

/** An identifier as typed on documents ("SK 2020 1234 56", "DE-123.456.789") reduced to its characters. */
function compact(text: string | null): string | null {
  const compacted = (text ?? '').replace(/[\s.\-/]+/g, '');
  return compacted || null;
}

/**
 * A company name as compared: accents dropped (decomposed, combining marks removed), lower
 * case, every run of other characters one space. "Müller-Baustoffe GmbH" and "MULLER
 * BAUSTOFFE GMBH" are the same name.
 */
export function normalizedName(name: string | null): string | null {
  const normalized = (name ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return normalized || null;
}
