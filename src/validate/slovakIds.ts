/**
 * The identifiers printed on Slovak invoices and their check rules: IČO (company number),
 * DIČ (tax number), IČ DPH / EU VAT number, and the IBAN. Each check takes the text as
 * extracted and answers with a fault (stable code and the reason, to finish a sentence) or null.
 */
export interface IdentifierFault {
  code: string;
  /** Completes `<label> "<value>" …`, without the full stop. */
  reason: string;
}

/** Printed identifiers are often grouped with spaces ("36 555 720", "SK31 1200 …"). */
function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

const fault = (code: string, reason: string): IdentifierFault => ({ code, reason });

/**
 * IČO: 8 digits, the last a mod-11 check digit over the first seven weighted 8 down to 2.
 * Older companies were given 6-digit numbers, which are the same number zero-padded on the left.
 */
export function checkIco(text: string): IdentifierFault | null {
  const digits = compact(text);
  if (!/^(\d{6}|\d{8})$/.test(digits)) return fault('ICO_FORMAT', 'is not an 8-digit IČO (or a 6-digit legacy one)');
  const ico = digits.padStart(8, '0');
  const expected = icoCheckDigit(ico.slice(0, 7));
  if (Number(ico[7]) !== expected)
    return fault('ICO_CHECKSUM', `fails the mod-11 check: its last digit should be ${expected}`);
  return null;
}

/** r = weighted sum mod 11; the digit is (11 − r) mod 10, so r = 0 gives 1 and r = 1 gives 0. */
export function icoCheckDigit(firstSeven: string): number {
  let weighted = 0;
  for (let position = 0; position < 7; position++) weighted += Number(firstSeven[position]) * (8 - position);
  return (11 - (weighted % 11)) % 10;
}

/** DIČ: 10 digits for a Slovak party; Czech suppliers print theirs as CZ and 8 to 10 digits. */
export function checkDic(text: string): IdentifierFault | null {
  const dic = compact(text).toUpperCase();
  if (/^\d{10}$/.test(dic) || /^CZ\d{8,10}$/.test(dic)) return null;
  return fault('DIC_FORMAT', 'is neither 10 digits (Slovak DIČ) nor CZ followed by 8 to 10 digits (Czech DIČ)');
}

/** VIES prefixes: Greece is EL, not GR; XI is Northern Ireland, still in the EU VAT area for goods. */
// prettier-ignore
export const EU_VAT_PREFIXES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'EL', 'ES', 'FI', 'FR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'XI',
]);

/** The two-letter prefix of a VAT number as printed ("SK", "DE"), or null when it has none. */
export function vatIdPrefix(text: string): string | null {
  const prefix = compact(text).slice(0, 2).toUpperCase();
  return /^[A-Z]{2}$/.test(prefix) ? prefix : null;
}

/**
 * IČ DPH: SK and 10 digits that are divisible by 11 (it is the DIČ of a VAT payer). Other EU
 * numbers only get a shape check: each country has its own rule, and VIES is the authority.
 */
export function checkVatId(text: string): IdentifierFault | null {
  const vatId = compact(text).toUpperCase();
  const prefix = vatIdPrefix(vatId);
  if (prefix === null) return fault('VAT_ID_FORMAT', 'does not start with a two-letter country prefix');
  if (!EU_VAT_PREFIXES.has(prefix))
    return fault('VAT_ID_COUNTRY', `starts with ${prefix}, which is not an EU VAT country prefix`);
  const number = vatId.slice(2);
  if (prefix === 'SK') {
    if (!/^\d{10}$/.test(number)) return fault('VAT_ID_FORMAT', 'is not SK followed by 10 digits');
    if (BigInt(number) % 11n !== 0n)
      return fault('VAT_ID_CHECKSUM', 'fails the check: its 10 digits are not divisible by 11');
    return null;
  }
  if (!/^[A-Z0-9]{2,13}$/.test(number))
    return fault('VAT_ID_FORMAT', `is not ${prefix} followed by 2 to 13 letters or digits`);
  return null;
}

/** ISO 13616 lengths for the countries our suppliers bank in; the rest get the general bounds. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = { SK: 24, CZ: 24, DE: 22, HU: 28, AT: 20 };
const IBAN_MIN_LENGTH = 15;
const IBAN_MAX_LENGTH = 34;

/** IBAN: country, two check digits, account; valid when mod 97 of the rearranged number is 1. */
export function checkIban(text: string): IdentifierFault | null {
  const iban = compact(text).toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban))
    return fault('IBAN_FORMAT', 'is not a country code, two check digits and an account number');
  const country = iban.slice(0, 2);
  const expected = IBAN_LENGTHS[country];
  if (expected !== undefined && iban.length !== expected)
    return fault('IBAN_LENGTH', `has ${iban.length} characters where ${country} IBANs have ${expected}`);
  if (iban.length < IBAN_MIN_LENGTH || iban.length > IBAN_MAX_LENGTH)
    return fault(
      'IBAN_LENGTH',
      `has ${iban.length} characters, outside the ${IBAN_MIN_LENGTH} to ${IBAN_MAX_LENGTH} an IBAN has`,
    );
  if (ibanRemainder(iban) !== 1) return fault('IBAN_CHECKSUM', 'fails the mod-97 check');
  return null;
}

/** The rearranged IBAN (first four characters moved to the end, A = 10 … Z = 35) mod 97, folded digit by digit. */
function ibanRemainder(iban: string): number {
  let remainder = 0;
  for (const character of iban.slice(4) + iban.slice(0, 4)) {
    const value = Number.parseInt(character, 36);
    remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
  }
  return remainder;
}
