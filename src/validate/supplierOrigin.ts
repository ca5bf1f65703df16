import type { SupplierParty } from '../invoice/normalizedInvoice.ts';
import { hasText } from './presence.ts';
import { vatIdPrefix } from './slovakIds.ts';

/**
 * Whether the supplier is Slovak, so Slovak VAT rates and Slovak identifiers are expected.
 * The VAT number decides when there is one, being the registration the tax is charged under;
 * then the country; with neither, Slovak, because most suppliers are.
 */
export function isSlovakSupplier(supplier: SupplierParty): boolean {
  const vatId = [supplier.ic_dph, supplier.vat_id].find(hasText);
  const prefix = vatId === undefined ? null : vatIdPrefix(vatId);
  if (prefix !== null) return prefix === 'SK';
  return !hasText(supplier.country) || supplier.country.trim().toUpperCase() === 'SK';
}
