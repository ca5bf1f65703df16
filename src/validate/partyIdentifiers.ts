import type { NormalizedInvoice, Party } from '../invoice/normalizedInvoice.ts';
import { error, type ValidationProblem } from './problem.ts';
import { hasText } from './presence.ts';
import { checkDic, checkIban, checkIco, checkVatId, type IdentifierFault } from './slovakIds.ts';

type IdentifierField = 'ico' | 'dic' | 'ic_dph' | 'vat_id';

const CHECKS: ReadonlyArray<{
  field: IdentifierField;
  label: string;
  check: (text: string) => IdentifierFault | null;
}> = [
  { field: 'ico', label: 'IČO', check: checkIco },
  { field: 'dic', label: 'DIČ', check: checkDic },
  { field: 'ic_dph', label: 'IČ DPH', check: checkVatId },
  { field: 'vat_id', label: 'VAT number', check: checkVatId },
];

/**
 * Check digits and shapes of the identifiers both parties print, and the supplier's IBAN.
 * Only what was extracted is checked: a missing identifier is the required-fields rule's concern.
 */
export function checkPartyIdentifiers(invoice: NormalizedInvoice): ValidationProblem[] {
  const problems = [
    ...checkParty(invoice.supplier, 'supplier', 'Supplier'),
    ...checkParty(invoice.customer, 'customer', 'Customer'),
  ];
  const iban = invoice.supplier.iban;
  if (hasText(iban)) {
    const fault = checkIban(iban);
    if (fault) problems.push(error(fault.code, 'supplier.iban', `Supplier IBAN "${iban}" ${fault.reason}.`));
  }
  return problems;
}

function checkParty(party: Party, path: string, owner: string): ValidationProblem[] {
  return CHECKS.flatMap(({ field, label, check }) => {
    const value = party[field];
    if (!hasText(value)) return [];
    const fault = check(value);
    return fault ? [error(fault.code, `${path}.${field}`, `${owner} ${label} "${value}" ${fault.reason}.`)] : [];
  });
}
