import { LoaderError } from '../../errors.ts';
import type { InvoiceLine } from '../../invoice/normalizedInvoice.ts';
import {
  add,
  decimalOf,
  type ExactDecimal,
  formatDecimal,
  multiply,
  parseDecimal,
  percentOf,
  roundHalfUp,
  subtract,
} from '../../validate/decimal.ts';

/** The amounts an ISDOC InvoiceLine must state, as decimal text. */
export interface IsdocLineAmounts {
  vatRate: string;
  net: string;
  /** Only for a line with a discount percentage: quantity × unit price, the amount it was taken from. */
  netBeforeDiscount: string | null;
  gross: string;
  tax: string;
  unitPrice: string;
  unitPriceWithVat: string;
}

const HUNDRED = decimalOf(100);
/** Places for a unit price derived by division: the precision Slovak price lists use. */
const DERIVED_UNIT_PRICE_PLACES = 4;

/**
 * ISDOC requires every line to state net, gross and VAT amounts, unit prices with and without
 * VAT, and a rate; invoices read from UBL, CII or a PDF often lack the VAT-inclusive ones.
 * What is on the invoice is written as it is; what is missing is computed from what is there
 * (exactly, rounded half-up to cents for amounts, to the unit price's own precision for the
 * unit price with VAT). A line whose net amount or rate cannot be known is refused rather than
 * written with a made-up number.
 */
export function isdocLineAmounts(line: InvoiceLine, invoiceRate: string | null): IsdocLineAmounts {
  const vatRate = line.vat_rate ?? invoiceRate;
  if (vatRate === null) throw incomplete(line, 'has no VAT rate and the invoice has more than one');
  const rate = decimal(vatRate, line, 'VAT rate');
  const quantity = optionalDecimal(line.quantity, line, 'quantity');
  const price = optionalDecimal(line.unit_price, line, 'unit price');
  const discount = optionalDecimal(line.discount_percent, line, 'discount');
  const beforeDiscount = quantity && price ? roundHalfUp(multiply(quantity, price), 2) : null;

  let net: ExactDecimal;
  if (line.line_net !== null) net = decimal(line.line_net, line, 'net amount');
  else if (beforeDiscount !== null)
    net = roundHalfUp(percentOf(beforeDiscount, subtract(HUNDRED, discount ?? decimalOf(0))), 2);
  else throw incomplete(line, 'has neither a net amount nor a quantity and unit price to compute it from');

  const gross = line.line_gross !== null ? decimal(line.line_gross, line, 'gross amount') : withVat(net, rate, 2);
  const unitPrice = price ?? (quantity && quantity.units !== 0n ? divide(net, quantity) : net);
  const unitPriceWithVat =
    line.unit_price_with_vat !== null
      ? decimal(line.unit_price_with_vat, line, 'unit price with VAT')
      : withVat(unitPrice, rate, Math.max(unitPrice.scale, 2));
  return {
    vatRate,
    net: formatDecimal(net),
    netBeforeDiscount: discount !== null && beforeDiscount !== null ? formatDecimal(beforeDiscount) : null,
    gross: formatDecimal(gross),
    tax: formatDecimal(subtract(gross, net)),
    unitPrice: line.unit_price ?? formatDecimal(unitPrice),
    unitPriceWithVat: line.unit_price_with_vat ?? formatDecimal(unitPriceWithVat),
  };
}

function withVat(amount: ExactDecimal, rate: ExactDecimal, places: number): ExactDecimal {
  return roundHalfUp(add(amount, percentOf(amount, rate)), places);
}

/** a / b rounded half away from zero to DERIVED_UNIT_PRICE_PLACES. */
function divide(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  const places = DERIVED_UNIT_PRICE_PLACES;
  // a/b = (a.units / b.units) × 10^(b.scale − a.scale); one extra digit to round on.
  const exponent = places + 1 + b.scale - a.scale;
  const numerator = exponent >= 0 ? a.units * 10n ** BigInt(exponent) : a.units;
  const denominator = exponent >= 0 ? b.units : b.units * 10n ** BigInt(-exponent);
  return roundHalfUp({ units: numerator / denominator, scale: places + 1 }, places);
}

function decimal(text: string, line: InvoiceLine, what: string): ExactDecimal {
  const value = parseDecimal(text);
  if (value === null) throw incomplete(line, `has a ${what} "${text}" that is not a number`);
  return value;
}

function optionalDecimal(text: string | null, line: InvoiceLine, what: string): ExactDecimal | null {
  return text === null ? null : decimal(text, line, what);
}

function incomplete(line: InvoiceLine, problem: string): LoaderError {
  return new LoaderError('ISDOC_INCOMPLETE', `Line ${line.line_number} ${problem}; ISDOC cannot be written for it.`);
}
