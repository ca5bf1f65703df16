import type { Party } from '../../invoice/normalizedInvoice.ts';

type TaxIdentity = Pick<Party, 'ico' | 'dic' | 'ic_dph' | 'vat_id'>;

const VAT_PREFIX = /^[A-Za-z]{2}/;

/**
 * Where Slovak and Czech identifiers land among ico / dic / ic_dph / vat_id, the same for every
 * syntax. IČO and DIČ exist only for Slovak and Czech parties (IČO: 8 digits, or 6 for old
 * companies), so a German register or tax number is not passed off as one. IČ DPH is the VAT
 * number of a Slovak party; a Czech DIČ is the VAT number itself ("CZ25097563"). A "VAT"
 * identifier written without a country prefix is a tax number (DIČ), not a VAT number.
 */
export function taxIdentity(ids: {
  /** Registration numbers in order of preference (legal registration, then party identifier). */
  registrations: Array<string | null>;
  vatId: string | null;
  taxNumber: string | null;
  country: string | null;
}): TaxIdentity {
  const vatNumber = ids.vatId !== null && VAT_PREFIX.test(ids.vatId) ? ids.vatId : null;
  const taxNumber = ids.taxNumber ?? (vatNumber === null ? ids.vatId : null);
  const country = (vatNumber?.slice(0, 2) ?? ids.country ?? '').toUpperCase();
  const slovakOrCzech = country === 'SK' || country === 'CZ';
  const ico = ids.registrations.find((id) => id !== null && /^(\d{6}|\d{8})$/.test(id.replace(/\s+/g, '')));
  return {
    ico: slovakOrCzech ? (ico ?? null) : null,
    dic: slovakOrCzech ? (taxNumber ?? (country === 'CZ' ? vatNumber : null)) : null,
    ic_dph: country === 'SK' ? vatNumber : null,
    vat_id: vatNumber,
  };
}
