/**
 * The sentences that carry into `notes` what the normalized invoice has no field for, worded
 * the same for every syntax: the same invoice as UBL or as CII must extract to the same notes.
 */

import type { Adjustment } from './adjustments.ts';

/** A document-level allowance or charge: already inside the totals, not inside any line. */
export function documentAdjustmentNote(adjustment: Adjustment): string {
  return `Document-level ${describeAdjustment(adjustment)}; it is included in the totals, not in the lines.`;
}

/** A line allowance or charge that is not a single percentage discount (which has its field). */
export function lineAdjustmentNote(lineNumber: number, adjustment: Adjustment): string {
  return `Line ${lineNumber}: ${describeAdjustment(adjustment)}; it is included in the line's net amount.`;
}

function describeAdjustment({ charge, amount, reason, percent, base, vatRate }: Adjustment): string {
  const kind = charge ? 'charge' : 'allowance';
  const why = reason === null ? '' : ` "${reason}"`;
  const how = percent === null ? '' : ` (${percent}%${base === null ? '' : ` of ${base}`})`;
  const vat = vatRate === null ? '' : `, VAT ${vatRate}%`;
  return `${kind}${why} ${amount ?? '(no amount)'}${how}${vat}`;
}

export const prepaidNote = (amount: string): string => `Already paid (prepaid amount): ${amount}.`;
export const roundingNote = (amount: string): string => `Rounding of the amount due: ${amount}.`;
export const paymentTermsNote = (terms: string): string => `Payment terms: ${terms}`;
export const paymentReferenceNote = (reference: string): string =>
  `Payment reference "${reference}" (not a variable symbol).`;
export const accountNote = (account: string): string => `Payment account "${account}" (not an IBAN).`;

export const vatExemptionNote = (rate: string, category: string | null, reason: string): string =>
  `VAT ${rate}%${category === null ? '' : ` (category ${category})`}: ${reason}`;

export const incompleteVatRowNote = (rate: string | null, base: string | null, tax: string | null): string =>
  `A VAT breakdown row (rate ${rate ?? '?'}, base ${base ?? '?'}, VAT ${tax ?? '?'}) is incomplete; it was left out of the breakdown.`;

export const priceBaseQuantityNote = (lineNumber: number, price: string, baseQuantity: string): string =>
  `Line ${lineNumber}: the unit price ${price} is for ${baseQuantity} units, not for one.`;
