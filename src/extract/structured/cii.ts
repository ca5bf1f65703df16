import { emptyInvoice, type InvoiceLine, type NormalizedInvoice, type Party } from '../../invoice/normalizedInvoice.ts';
import { lineDiscountPercent, type Adjustment } from './adjustments.ts';
import { isNonZero, isOne } from './decimalText.ts';
import {
  accountNote,
  documentAdjustmentNote,
  incompleteVatRowNote,
  paymentReferenceNote,
  paymentTermsNote,
  prepaidNote,
  priceBaseQuantityNote,
  roundingNote,
  vatExemptionNote,
} from './documentNotes.ts';
import { documentTypeFromUntdid } from './documentTypes.ts';
import { taxIdentity } from './partyTaxIds.ts';
import { ibanFrom, variableSymbolFrom } from './paymentFields.ts';
import { sourceTrace, type SourceTrace } from './sourceTrace.ts';
import { vatRateOf } from './vatCategories.ts';
import { ciiDate } from './xmlDates.ts';
import {
  attribute,
  child,
  children,
  joinedText,
  oneLine,
  text,
  textAt,
  texts,
  type XmlElement,
  type XmlNode,
} from './xmlNode.ts';

/** ISO 6523 ICD 0160: GS1 GTIN, the EAN on the product. */
const GTIN_SCHEME = '0160';

const ROOT = '/rsm:CrossIndustryInvoice';
const TRANSACTION = `${ROOT}/rsm:SupplyChainTradeTransaction`;
const AGREEMENT = `${TRANSACTION}/ram:ApplicableHeaderTradeAgreement`;
const SETTLEMENT = `${TRANSACTION}/ram:ApplicableHeaderTradeSettlement`;

/**
 * UN/CEFACT Cross Industry Invoice D16B (EN 16931 CII, Factur-X / ZUGFeRD 2 and XRechnung) →
 * normalized invoice. The lower Factur-X profiles (MINIMUM, BASIC WL) carry no lines; the
 * invoice then simply has none. BT-n in comments are EN 16931 business terms.
 */
export function readCii(document: XmlElement): NormalizedInvoice {
  const invoice = emptyInvoice('cii');
  const { notes } = invoice;
  const trace = sourceTrace(invoice.source.fields);
  const exchanged = child(document, 'ExchangedDocument');
  const transaction = child(document, 'SupplyChainTradeTransaction');
  const agreement = child(transaction, 'ApplicableHeaderTradeAgreement');
  const settlement = child(transaction, 'ApplicableHeaderTradeSettlement');

  for (const note of children(exchanged, 'IncludedNote')) {
    for (const content of texts(children(note, 'Content'))) notes.push(content); // BT-22
  }
  const typeCode = textAt(exchanged, 'TypeCode');
  invoice.document_type = documentTypeFromUntdid(typeCode);
  invoice.source.fields.document_type = `${ROOT}/rsm:ExchangedDocument/ram:TypeCode`;
  invoice.invoice_number = trace('invoice_number', `${ROOT}/rsm:ExchangedDocument/ram:ID`, textAt(exchanged, 'ID'));
  invoice.issue_date = trace(
    'issue_date',
    `${ROOT}/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString`,
    ciiDate(child(exchanged, 'IssueDateTime'), 'issue date', notes),
  );
  // BT-7 tax point date; Slovak invoices print the delivery date (BT-72) as "dátum dodania" instead.
  const taxPoint = children(settlement, 'ApplicableTradeTax')
    .map((tax) => ciiDate(child(tax, 'TaxPointDate'), 'tax point date', notes))
    .find((found) => found !== null);
  invoice.tax_point_date =
    trace('tax_point_date', `${SETTLEMENT}/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString`, taxPoint ?? null) ??
    trace(
      'tax_point_date',
      `${TRANSACTION}/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString`,
      ciiDate(
        child(transaction, 'ApplicableHeaderTradeDelivery', 'ActualDeliverySupplyChainEvent', 'OccurrenceDateTime'),
        'delivery date',
        notes,
      ),
    );
  invoice.currency = trace(
    'currency',
    `${SETTLEMENT}/ram:InvoiceCurrencyCode`,
    textAt(settlement, 'InvoiceCurrencyCode'),
  );
  invoice.order_reference = trace(
    'order_reference',
    `${AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID`,
    textAt(agreement, 'BuyerOrderReferencedDocument', 'IssuerAssignedID'),
  );

  const supplier = readParty(
    child(agreement, 'SellerTradeParty'),
    'supplier',
    `${AGREEMENT}/ram:SellerTradeParty`,
    trace,
  );
  invoice.supplier = { ...supplier, iban: null, bic: null };
  invoice.customer = readParty(
    child(agreement, 'BuyerTradeParty'),
    'customer',
    `${AGREEMENT}/ram:BuyerTradeParty`,
    trace,
  );

  readPayment(settlement, invoice, trace);
  readVatBreakdown(settlement, invoice);
  readTotals(settlement, invoice, trace);

  invoice.lines = children(transaction, 'IncludedSupplyChainTradeLineItem').map((line, index) =>
    readLine(line, index + 1, notes),
  );
  return invoice;
}

function readParty(party: XmlNode | undefined, role: string, base: string, trace: SourceTrace): Party {
  const at = (relative: string) => `${base}/${relative}`;
  const legal = child(party, 'SpecifiedLegalOrganization');
  const taxRegistrations = children(party, 'SpecifiedTaxRegistration').map((entry) => child(entry, 'ID'));
  const registered = (scheme: string) =>
    text(taxRegistrations.find((id) => attribute(id, 'schemeID')?.toUpperCase() === scheme));
  const address = child(party, 'PostalTradeAddress');
  const country = textAt(address, 'CountryID');
  const legalId = textAt(legal, 'ID'); // BT-30
  const taxNumber = registered('FC'); // BT-32, the tax registration (DIČ)
  const ids = taxIdentity({
    registrations: [legalId, textAt(party, 'ID')],
    vatId: registered('VA'), // BT-31
    taxNumber,
    country,
  });
  const vatPath = at("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']");
  return {
    name:
      trace(`${role}.name`, at('ram:Name'), oneLine(textAt(party, 'Name'))) ??
      trace(
        `${role}.name`,
        at('ram:SpecifiedLegalOrganization/ram:TradingBusinessName'),
        oneLine(textAt(legal, 'TradingBusinessName')),
      ),
    ico: trace(
      `${role}.ico`,
      ids.ico === legalId ? at('ram:SpecifiedLegalOrganization/ram:ID') : at('ram:ID'),
      ids.ico,
    ),
    dic: trace(
      `${role}.dic`,
      taxNumber === null ? vatPath : at("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']"),
      ids.dic,
    ),
    ic_dph: trace(`${role}.ic_dph`, vatPath, ids.ic_dph),
    vat_id: trace(`${role}.vat_id`, vatPath, ids.vat_id),
    street: joinedText(textAt(address, 'LineOne'), textAt(address, 'LineTwo'), textAt(address, 'LineThree')),
    city: textAt(address, 'CityName'),
    zip: textAt(address, 'PostcodeCode'),
    country,
  };
}

function readPayment(settlement: XmlNode | undefined, invoice: NormalizedInvoice, trace: SourceTrace): void {
  const { notes } = invoice;
  const means = children(settlement, 'SpecifiedTradeSettlementPaymentMeans');
  const account = means
    .map((entry) => child(entry, 'PayeePartyCreditorFinancialAccount'))
    .find((entry) => entry !== undefined);
  const accountPath = `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount`;
  const iban = textAt(account, 'IBANID'); // BT-84
  const proprietary = textAt(account, 'ProprietaryID');
  invoice.supplier.iban =
    trace('supplier.iban', `${accountPath}/ram:IBANID`, ibanFrom(iban)) ??
    trace('supplier.iban', `${accountPath}/ram:ProprietaryID`, ibanFrom(proprietary));
  const otherAccount = [iban, proprietary].find((id) => id !== null && id !== invoice.supplier.iban);
  if (invoice.supplier.iban === null && otherAccount) notes.push(accountNote(otherAccount));
  const institution = means
    .map((entry) => textAt(entry, 'PayeeSpecifiedCreditorFinancialInstitution', 'BICID'))
    .find((bic) => bic !== null);
  invoice.supplier.bic = trace(
    'supplier.bic',
    `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID`,
    institution ?? null,
  );
  const reference = textAt(settlement, 'PaymentReference'); // BT-83
  invoice.variable_symbol = trace(
    'variable_symbol',
    `${SETTLEMENT}/ram:PaymentReference`,
    variableSymbolFrom(reference),
  );
  if (reference !== null && invoice.variable_symbol === null) notes.push(paymentReferenceNote(reference));
  const terms = children(settlement, 'SpecifiedTradePaymentTerms');
  const due = terms
    .map((term) => ciiDate(child(term, 'DueDateDateTime'), 'due date', notes))
    .find((found) => found !== null);
  invoice.due_date = trace(
    'due_date',
    `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString`,
    due ?? null,
  );
  for (const note of texts(terms.map((term) => child(term, 'Description'))).map(paymentTermsNote)) notes.push(note);
}

function readVatBreakdown(settlement: XmlNode | undefined, invoice: NormalizedInvoice): void {
  for (const tax of children(settlement, 'ApplicableTradeTax')) {
    const code = textAt(tax, 'CategoryCode');
    const rate = vatRateOf(textAt(tax, 'RateApplicablePercent'), code);
    const base = textAt(tax, 'BasisAmount');
    const amount = textAt(tax, 'CalculatedAmount');
    if (rate === null || base === null || amount === null) {
      invoice.notes.push(incompleteVatRowNote(rate, base, amount));
      continue;
    }
    invoice.vat_breakdown.push({ rate, base, tax: amount });
    const reason = textAt(tax, 'ExemptionReason') ?? textAt(tax, 'ExemptionReasonCode');
    if (reason !== null) invoice.notes.push(vatExemptionNote(rate, code, reason));
  }
}

function readTotals(settlement: XmlNode | undefined, invoice: NormalizedInvoice, trace: SourceTrace): void {
  const totals = child(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  const at = (name: string) => `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:${name}`;
  invoice.total_net = trace('total_net', at('TaxBasisTotalAmount'), textAt(totals, 'TaxBasisTotalAmount')); // BT-109
  // BT-110 may be repeated in the VAT accounting currency (BT-111): take the invoice currency's.
  const vatTotals = children(totals, 'TaxTotalAmount');
  const vatTotal =
    vatTotals.find((amount) => attribute(amount, 'currencyID') === invoice.currency) ??
    vatTotals.find((amount) => attribute(amount, 'currencyID') === null) ??
    vatTotals[0];
  invoice.total_vat = trace('total_vat', at('TaxTotalAmount'), text(vatTotal));
  invoice.total_gross = trace('total_gross', at('GrandTotalAmount'), textAt(totals, 'GrandTotalAmount')); // BT-112
  invoice.amount_due = trace('amount_due', at('DuePayableAmount'), textAt(totals, 'DuePayableAmount')); // BT-115
  for (const adjustment of children(settlement, 'SpecifiedTradeAllowanceCharge').map(ciiAdjustment)) {
    invoice.notes.push(documentAdjustmentNote(adjustment));
  }
  const prepaid = textAt(totals, 'TotalPrepaidAmount');
  if (isNonZero(prepaid)) invoice.notes.push(prepaidNote(prepaid));
  const rounding = textAt(totals, 'RoundingAmount');
  if (isNonZero(rounding)) invoice.notes.push(roundingNote(rounding));
}

function readLine(line: XmlNode, lineNumber: number, notes: string[]): InvoiceLine {
  const product = child(line, 'SpecifiedTradeProduct');
  const netPrice = child(line, 'SpecifiedLineTradeAgreement', 'NetPriceProductTradePrice');
  const quantity = child(line, 'SpecifiedLineTradeDelivery', 'BilledQuantity');
  const settlement = child(line, 'SpecifiedLineTradeSettlement');
  const tax = child(settlement, 'ApplicableTradeTax');
  const unitPrice = textAt(netPrice, 'ChargeAmount'); // BT-146, the net price
  const baseQuantity = textAt(netPrice, 'BasisQuantity'); // BT-149
  if (unitPrice !== null && baseQuantity !== null && !isOne(baseQuantity)) {
    notes.push(priceBaseQuantityNote(lineNumber, unitPrice, baseQuantity));
  }
  const gtin = children(product, 'GlobalID').find((id) => attribute(id, 'schemeID') === GTIN_SCHEME);
  const adjustments = children(settlement, 'SpecifiedTradeAllowanceCharge').map(ciiAdjustment);
  return {
    line_number: lineNumber,
    item_code: textAt(product, 'SellerAssignedID'),
    ean: text(gtin),
    description: oneLine(textAt(product, 'Name') ?? textAt(product, 'Description')),
    quantity: text(quantity),
    unit: attribute(quantity, 'unitCode'),
    discount_percent: lineDiscountPercent(adjustments, lineNumber, notes),
    unit_price: unitPrice,
    unit_price_with_vat: null,
    vat_rate: vatRateOf(textAt(tax, 'RateApplicablePercent'), textAt(tax, 'CategoryCode')),
    line_net: textAt(settlement, 'SpecifiedTradeSettlementLineMonetarySummation', 'LineTotalAmount'), // BT-131
    line_gross: null,
  };
}

function ciiAdjustment(node: XmlNode): Adjustment {
  const tax = child(node, 'CategoryTradeTax');
  return {
    charge: textAt(node, 'ChargeIndicator', 'Indicator')?.toLowerCase() === 'true',
    amount: textAt(node, 'ActualAmount'),
    reason: textAt(node, 'Reason') ?? textAt(node, 'ReasonCode'),
    percent: textAt(node, 'CalculationPercent'),
    base: textAt(node, 'BasisAmount'),
    vatRate: tax === undefined ? null : vatRateOf(textAt(tax, 'RateApplicablePercent'), textAt(tax, 'CategoryCode')),
  };
}
