/**
 * The issuer is the party that is not us. Every invoice the loader reads is addressed to the
 * company it works for (config `customer`), so when the text reading took our own name, IČO or
 * Czech DIČ (CZ + IČO) for the supplier — a two-column address block read the wrong way round,
 * our name in the address window taken for the letterhead — the parties are swapped back.
 */
import type { NormalizedInvoice, Party } from '../../invoice/normalizedInvoice.ts';

/** The company the daemon works for, as configured (`customer` in the config). */
export interface OwnCompany {
  name: string;
  ico: string | null;
  /** Our IČ DPH / EU VAT number, when configured. */
  vat_id?: string | null;
}

const PARTY_FIELDS = ['name', 'ico', 'dic', 'ic_dph', 'vat_id', 'street', 'city', 'zip', 'country'] as const;

/** True when the party carries our IČO, our Czech DIČ or our name. */
export function isOwnCompany(party: Pick<Party, 'name' | 'ico' | 'vat_id'>, own: OwnCompany): boolean {
  if (own.ico !== null) {
    if (party.ico === own.ico) return true;
    if (party.vat_id !== null && party.vat_id.replace(/\s+/g, '') === `CZ${own.ico}`) return true;
  }
  const ours = own.vat_id?.replace(/\s+/g, '').toUpperCase();
  if (ours && party.vat_id !== null && party.vat_id.replace(/\s+/g, '').toUpperCase() === ours) return true;
  return party.name !== null && sameName(party.name, own.name);
}

/** Names compared by their letters and digits only: "ACME s.r.o." is "Acme, s. r. o.". */
export function sameName(a: string, b: string): boolean {
  const key = (name: string) => name.toLowerCase().replace(/[^\p{L}\d]/gu, '');
  return key(a).length >= 3 && key(a) === key(b);
}

/** Our own company read as the supplier: the parties change places (source.fields with them). */
export function putOwnCompanyLast(invoice: NormalizedInvoice, own: OwnCompany): void {
  if (!isOwnCompany(invoice.supplier, own) || isOwnCompany(invoice.customer, own)) return;
  const sources = invoice.source.fields;
  for (const field of PARTY_FIELDS) {
    const supplierValue = invoice.supplier[field];
    invoice.supplier[field] = invoice.customer[field];
    invoice.customer[field] = supplierValue;
    const supplierSource = sources[`supplier.${field}`];
    const customerSource = sources[`customer.${field}`];
    delete sources[`supplier.${field}`];
    delete sources[`customer.${field}`];
    if (customerSource !== undefined)
      sources[`supplier.${field}`] = `${customerSource} (parties swapped: ours is the customer)`;
    if (supplierSource !== undefined)
      sources[`customer.${field}`] = `${supplierSource} (parties swapped: ours is the customer)`;
  }
}
