import { compare, decimalOf, parseDecimal } from '../../validate/decimal.ts';

/** Whether an amount as written is a number other than zero ("0.00" is zero; text that is no number is not). */
export function isNonZero(amount: string | null): amount is string {
  const value = amount === null ? null : parseDecimal(amount);
  return value !== null && value.units !== 0n;
}

/** Whether a quantity as written is one ("1", "1.000"). */
export function isOne(quantity: string): boolean {
  const value = parseDecimal(quantity);
  return value !== null && compare(value, decimalOf(1)) === 0;
}
