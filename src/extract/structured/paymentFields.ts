/**
 * Slovak and Czech payments are matched by the variable symbol: up to 10 digits. A payment
 * reference (UBL PaymentID, CII PaymentReference) of that shape is one; any other reference is
 * kept as a note, since a VS that is not a VS would mismatch the payment.
 */
export function variableSymbolFrom(reference: string | null): string | null {
  return reference !== null && /^\d{1,10}$/.test(reference) ? reference : null;
}

/** An account identifier that has the shape of an IBAN (country, two check digits, account), or null. */
export function ibanFrom(account: string | null): string | null {
  return account !== null && /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/i.test(account.replace(/\s+/g, '')) ? account : null;
}
