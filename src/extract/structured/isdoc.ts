import { emptyInvoice, type InvoiceLine, type NormalizedInvoice, type Party } from '../../invoice/normalizedInvoice.ts';
import { formatDecimal, normalize, parseDecimal, subtract } from '../../validate/decimal.ts';
import { isNonZero } from './decimalText.ts';
import { prepaidNote, roundingNote } from './documentNotes.ts';
import { documentTypeFromIsdoc } from './documentTypes.ts';
import { taxIdentity } from './partyTaxIds.ts';
import { sourceTrace, type SourceTrace } from './sourceTrace.ts';
import { isoDate } from './xmlDates.ts';
import { attribute, child, children, oneLine, text, textAt, type XmlElement, type XmlNode } from './xmlNode.ts';

const ROOT = '/Invoice';

/**
 * ISDOC 6.x (the Czech e-invoice, namespace http://isdoc.cz/namespace/2013, and the older
 * namespace of 6.0.0 writers) → normalized invoice.
 *
 * ISDOC states every amount in the local currency (LocalCurrencyCode, CZK for a Czech issuer)
 * and, for a foreign-currency invoice, most of them again in ForeignCurrencyCode (`…Curr`).
 * Unit prices exist only in the local currency, so the invoice is read in the local currency,
 * consistently; a note gives the foreign currency, the rate and the amount payable in it.
 */
export function readIsdoc(document: XmlElement): NormalizedInvoice {
  const invoice = emptyInvoice('isdoc');
  const { notes } = invoice;
  const trace = sourceTrace(invoice.source.fields);
  const at = (relative: string) => `${ROOT}/${relative}`;

  const note = textAt(document, 'Note'); // one text in ISDOC, kept as one note
  if (note !== null) notes.push(note);

  invoice.document_type = trace(
    'document_type',
    at('DocumentType'),
    documentTypeFromIsdoc(textAt(document, 'DocumentType')),
  );
  invoice.invoice_number = trace('invoice_number', at('ID'), textAt(document, 'ID'));
  invoice.issue_date = trace(
    'issue_date',
    at('IssueDate'),
    isoDate(textAt(document, 'IssueDate'), 'issue date', notes),
  );
  invoice.tax_point_date = trace(
    'tax_point_date',
    at('TaxPointDate'),
    isoDate(textAt(document, 'TaxPointDate'), 'tax point date', notes),
  );
  invoice.currency = trace('currency', at('LocalCurrencyCode'), textAt(document, 'LocalCurrencyCode'));
  const orders = children(child(document, 'OrderReferences'), 'OrderReference');
  // The buyer's own order number is ExternalOrderID; SalesOrderID is the supplier's record of it.
  invoice.order_reference =
    trace(
      'order_reference',
      at('OrderReferences/OrderReference/ExternalOrderID'),
      textAt(orders[0], 'ExternalOrderID'),
    ) ?? trace('order_reference', at('OrderReferences/OrderReference/SalesOrderID'), textAt(orders[0], 'SalesOrderID'));

  const supplier = readParty(
    child(document, 'AccountingSupplierParty', 'Party'),
    'supplier',
    at('AccountingSupplierParty/Party'),
    trace,
  );
  invoice.supplier = { ...supplier, iban: null, bic: null };
  invoice.customer = readParty(
    child(document, 'AccountingCustomerParty', 'Party'),
    'customer',
    at('AccountingCustomerParty/Party'),
    trace,
  );

  readPayment(document, invoice, trace);
  readTotals(document, invoice, trace);
  invoice.lines = children(child(document, 'InvoiceLines'), 'InvoiceLine').map((line, index) =>
    readLine(line, index + 1),
  );
  return invoice;
}

function readParty(party: XmlNode | undefined, role: string, base: string, trace: SourceTrace): Party {
  const at = (relative: string) => `${base}/${relative}`;
  const schemes = children(party, 'PartyTaxScheme');
  // ISDOC's own advice: VAT is the Czech DIČ and the Slovak IČ DPH, TIN the Slovak DIČ.
  const inScheme = (scheme: string) =>
    text(
      child(
        schemes.find((entry) => textAt(entry, 'TaxScheme')?.toUpperCase() === scheme),
        'CompanyID',
      ),
    );
  const address = child(party, 'PostalAddress');
  const country = textAt(address, 'Country', 'IdentificationCode');
  const taxNumber = inScheme('TIN');
  const ids = taxIdentity({
    registrations: [textAt(party, 'PartyIdentification', 'ID')],
    vatId: inScheme('VAT'),
    taxNumber,
    country,
  });
  const vatPath = at("PartyTaxScheme[TaxScheme='VAT']/CompanyID");
  const street = textAt(address, 'StreetName');
  const building = textAt(address, 'BuildingNumber');
  return {
    name: trace(`${role}.name`, at('PartyName/Name'), oneLine(textAt(party, 'PartyName', 'Name'))),
    ico: trace(`${role}.ico`, at('PartyIdentification/ID'), ids.ico),
    dic: trace(`${role}.dic`, taxNumber === null ? vatPath : at("PartyTaxScheme[TaxScheme='TIN']/CompanyID"), ids.dic),
    ic_dph: trace(`${role}.ic_dph`, vatPath, ids.ic_dph),
    vat_id: trace(`${role}.vat_id`, vatPath, ids.vat_id),
    street: street === null || building === null ? (street ?? building) : `${street} ${building}`,
    city: textAt(address, 'CityName'),
    zip: textAt(address, 'PostalZone'),
    country,
  };
}

function readPayment(document: XmlElement, invoice: NormalizedInvoice, trace: SourceTrace): void {
  const means = child(document, 'PaymentMeans');
  const details = children(means, 'Payment').map((payment) => child(payment, 'Details'));
  const first = (name: string) => details.map((entry) => textAt(entry, name)).find((value) => value !== null) ?? null;
  const alternate = child(means, 'AlternateBankAccounts', 'AlternateBankAccount');
  const detailsPath = `${ROOT}/PaymentMeans/Payment/Details`;
  const alternatePath = `${ROOT}/PaymentMeans/AlternateBankAccounts/AlternateBankAccount`;
  invoice.due_date = trace(
    'due_date',
    `${detailsPath}/PaymentDueDate`,
    isoDate(first('PaymentDueDate'), 'due date', invoice.notes),
  );
  invoice.variable_symbol = trace('variable_symbol', `${detailsPath}/VariableSymbol`, first('VariableSymbol'));
  invoice.constant_symbol = trace('constant_symbol', `${detailsPath}/ConstantSymbol`, first('ConstantSymbol'));
  invoice.supplier.iban =
    trace('supplier.iban', `${detailsPath}/IBAN`, first('IBAN')) ??
    trace('supplier.iban', `${alternatePath}/IBAN`, textAt(alternate, 'IBAN'));
  invoice.supplier.bic =
    trace('supplier.bic', `${detailsPath}/BIC`, first('BIC')) ??
    trace('supplier.bic', `${alternatePath}/BIC`, textAt(alternate, 'BIC'));
}

function readTotals(document: XmlElement, invoice: NormalizedInvoice, trace: SourceTrace): void {
  const taxTotal = child(document, 'TaxTotal');
  for (const subtotal of children(taxTotal, 'TaxSubTotal')) {
    const rate = textAt(subtotal, 'TaxCategory', 'Percent');
    const base = textAt(subtotal, 'TaxableAmount');
    const tax = textAt(subtotal, 'TaxAmount');
    if (rate !== null && base !== null && tax !== null) invoice.vat_breakdown.push({ rate, base, tax });
  }
  const totals = child(document, 'LegalMonetaryTotal');
  const at = (name: string) => `${ROOT}/LegalMonetaryTotal/${name}`;
  invoice.total_vat = trace('total_vat', `${ROOT}/TaxTotal/TaxAmount`, textAt(taxTotal, 'TaxAmount'));
  invoice.total_net = trace('total_net', at('TaxExclusiveAmount'), textAt(totals, 'TaxExclusiveAmount'));
  invoice.total_gross = trace('total_gross', at('TaxInclusiveAmount'), textAt(totals, 'TaxInclusiveAmount'));
  invoice.amount_due = trace('amount_due', at('PayableAmount'), textAt(totals, 'PayableAmount'));

  const claimed = textAt(totals, 'AlreadyClaimedTaxInclusiveAmount');
  if (isNonZero(claimed)) invoice.notes.push(`Already settled by advance tax documents (with VAT): ${claimed}.`);
  const deposits = textAt(totals, 'PaidDepositsAmount');
  if (isNonZero(deposits)) invoice.notes.push(prepaidNote(deposits));
  const rounding = textAt(totals, 'PayableRoundingAmount');
  if (isNonZero(rounding)) invoice.notes.push(roundingNote(rounding));
  const foreign = textAt(document, 'ForeignCurrencyCode');
  if (foreign !== null && foreign !== invoice.currency) {
    const payable = textAt(totals, 'PayableAmountCurr');
    invoice.notes.push(
      `Amounts are in ${invoice.currency ?? 'the local currency'}; the document is also stated in ${foreign} ` +
        `(rate ${textAt(document, 'CurrRate') ?? '?'} per ${textAt(document, 'RefCurrRate') ?? '1'} ${foreign})` +
        `${payable === null ? '' : `, payable ${payable} ${foreign}`}.`,
    );
  }
}

function readLine(line: XmlNode, lineNumber: number): InvoiceLine {
  const item = child(line, 'Item');
  const quantity = child(line, 'InvoicedQuantity');
  const net = textAt(line, 'LineExtensionAmount');
  return {
    line_number: lineNumber,
    item_code: textAt(item, 'SellersItemIdentification', 'ID'),
    ean: textAt(item, 'CatalogueItemIdentification', 'ID'),
    description: oneLine(textAt(item, 'Description')),
    quantity: text(quantity),
    unit: attribute(quantity, 'unitCode'),
    discount_percent: discountPercent(textAt(line, 'LineExtensionAmountBeforeDiscount'), net),
    unit_price: textAt(line, 'UnitPrice'),
    unit_price_with_vat: textAt(line, 'UnitPriceTaxInclusive'),
    vat_rate: textAt(line, 'ClassifiedTaxCategory', 'Percent'),
    line_net: net,
    line_gross: textAt(line, 'LineExtensionAmountTaxInclusive'),
  };
}

/** Places tried when dividing: a discount is a percentage with at most a few decimals. */
const MAX_PERCENT_PLACES = 4;

/**
 * ISDOC states a line's amount before and after discount, not the percentage. The percentage
 * is read only when it comes out exact ((before − net) / before × 100 with at most four
 * decimals): a rounded quotient would be a number the supplier never wrote.
 */
function discountPercent(beforeText: string | null, netText: string | null): string | null {
  const before = beforeText === null ? null : parseDecimal(beforeText);
  const net = netText === null ? null : parseDecimal(netText);
  if (before === null || net === null || before.units === 0n) return null;
  const discount = subtract(before, net);
  if (discount.units === 0n) return null;
  // (discount / before) × 100 = (d.units / b.units) × 10^(b.scale − d.scale) × 100, at `places` decimals.
  for (let places = 0; places <= MAX_PERCENT_PLACES; places++) {
    const exponent = before.scale - discount.scale + 2 + places;
    const numerator = exponent >= 0 ? discount.units * 10n ** BigInt(exponent) : discount.units;
    const denominator = exponent >= 0 ? before.units : before.units * 10n ** BigInt(-exponent);
    if (numerator % denominator === 0n) {
      return formatDecimal(normalize({ units: numerator / denominator, scale: places }));
    }
  }
  return null;
}
