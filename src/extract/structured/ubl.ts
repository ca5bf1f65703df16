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
import { isoDate } from './xmlDates.ts';
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

export type UblDocumentName = 'Invoice' | 'CreditNote';

/** ISO 6523 ICD 0160: GS1 GTIN, the EAN on the product. */
const GTIN_SCHEME = '0160';

/**
 * UBL 2.1 Invoice or CreditNote (EN 16931, Peppol BIS Billing 3.0) → normalized invoice.
 * BT-n in comments are EN 16931 business terms. Amounts keep the sign they are written with.
 */
export function readUbl(document: XmlElement, name: UblDocumentName): NormalizedInvoice {
  const invoice = emptyInvoice('ubl');
  const { notes } = invoice;
  const trace = sourceTrace(invoice.source.fields);
  const path = (relative: string) => `/${name}/${relative}`;
  const isCreditNote = name === 'CreditNote';

  // One push per note: spreading a document's 200 000 notes into push() overflows the stack.
  for (const note of texts(children(document, 'Note'))) notes.push(note); // BT-22

  const typeCodeName = isCreditNote ? 'CreditNoteTypeCode' : 'InvoiceTypeCode';
  const typeCode = textAt(document, typeCodeName);
  invoice.document_type = documentTypeFromUntdid(typeCode, isCreditNote);
  invoice.source.fields.document_type = typeCode === null ? `/${name}` : path(`cbc:${typeCodeName}`);
  invoice.invoice_number = trace('invoice_number', path('cbc:ID'), textAt(document, 'ID'));
  invoice.issue_date = trace('issue_date', path('cbc:IssueDate'), date(document, 'IssueDate', 'issue date', notes));
  // BT-7 tax point date; Slovak invoices print the delivery date (BT-72) as "dátum dodania" instead.
  invoice.tax_point_date =
    trace('tax_point_date', path('cbc:TaxPointDate'), date(document, 'TaxPointDate', 'tax point date', notes)) ??
    trace(
      'tax_point_date',
      path('cac:Delivery/cbc:ActualDeliveryDate'),
      date(child(document, 'Delivery'), 'ActualDeliveryDate', 'delivery date', notes),
    );
  invoice.currency = trace('currency', path('cbc:DocumentCurrencyCode'), textAt(document, 'DocumentCurrencyCode'));
  invoice.order_reference = trace(
    'order_reference',
    path('cac:OrderReference/cbc:ID'),
    textAt(document, 'OrderReference', 'ID'),
  );

  const supplierPath = path('cac:AccountingSupplierParty/cac:Party');
  const customerPath = path('cac:AccountingCustomerParty/cac:Party');
  const supplier = readParty(child(document, 'AccountingSupplierParty', 'Party'), 'supplier', supplierPath, trace);
  invoice.supplier = { ...supplier, iban: null, bic: null };
  invoice.customer = readParty(child(document, 'AccountingCustomerParty', 'Party'), 'customer', customerPath, trace);

  readPayment(document, invoice, path, trace);
  readVatBreakdown(document, invoice, path, trace);
  readTotals(document, invoice, path, trace);

  const lineName = isCreditNote ? 'CreditNoteLine' : 'InvoiceLine';
  const quantityName = isCreditNote ? 'CreditedQuantity' : 'InvoicedQuantity';
  invoice.lines = children(document, lineName).map((line, index) => readLine(line, index + 1, quantityName, notes));
  return invoice;
}

function readParty(party: XmlNode | undefined, role: string, base: string, trace: SourceTrace): Party {
  const at = (relative: string) => `${base}/${relative}`;
  const legal = child(party, 'PartyLegalEntity');
  const schemes = children(party, 'PartyTaxScheme');
  const vatScheme = schemes.find((scheme) => textAt(scheme, 'TaxScheme', 'ID')?.toUpperCase() === 'VAT');
  const otherScheme = schemes.find((scheme) => scheme !== vatScheme); // BT-32, the tax registration (DIČ)
  const address = child(party, 'PostalAddress');
  const country = textAt(address, 'Country', 'IdentificationCode');
  const legalId = textAt(legal, 'CompanyID'); // BT-30
  const taxNumber = textAt(otherScheme, 'CompanyID');
  const ids = taxIdentity({
    registrations: [legalId, textAt(party, 'PartyIdentification', 'ID')],
    vatId: textAt(vatScheme, 'CompanyID'), // BT-31
    taxNumber,
    country,
  });
  const vatPath = at("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID");
  return {
    name:
      trace(
        `${role}.name`,
        at('cac:PartyLegalEntity/cbc:RegistrationName'),
        oneLine(textAt(legal, 'RegistrationName')),
      ) ?? trace(`${role}.name`, at('cac:PartyName/cbc:Name'), oneLine(textAt(party, 'PartyName', 'Name'))),
    ico: trace(
      `${role}.ico`,
      ids.ico === legalId ? at('cac:PartyLegalEntity/cbc:CompanyID') : at('cac:PartyIdentification/cbc:ID'),
      ids.ico,
    ),
    dic: trace(
      `${role}.dic`,
      taxNumber === null ? vatPath : at("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID"),
      ids.dic,
    ),
    ic_dph: trace(`${role}.ic_dph`, vatPath, ids.ic_dph),
    vat_id: trace(`${role}.vat_id`, vatPath, ids.vat_id),
    street: joinedText(textAt(address, 'StreetName'), textAt(address, 'AdditionalStreetName')),
    city: textAt(address, 'CityName'),
    zip: textAt(address, 'PostalZone'),
    country,
  };
}

function readPayment(document: XmlElement, invoice: NormalizedInvoice, path: PathOf, trace: SourceTrace): void {
  const { notes } = invoice;
  const means = children(document, 'PaymentMeans');
  const account = means.map((entry) => child(entry, 'PayeeFinancialAccount')).find((entry) => entry !== undefined);
  const accountId = textAt(account, 'ID'); // BT-84
  const accountPath = path('cac:PaymentMeans/cac:PayeeFinancialAccount');
  invoice.supplier.iban = trace('supplier.iban', `${accountPath}/cbc:ID`, ibanFrom(accountId));
  if (accountId !== null && invoice.supplier.iban === null) notes.push(accountNote(accountId));
  invoice.supplier.bic = trace(
    'supplier.bic',
    `${accountPath}/cac:FinancialInstitutionBranch/cbc:ID`,
    textAt(account, 'FinancialInstitutionBranch', 'ID'),
  );
  const reference = means.map((entry) => textAt(entry, 'PaymentID')).find((entry) => entry !== null) ?? null; // BT-83
  invoice.variable_symbol = trace(
    'variable_symbol',
    path('cac:PaymentMeans/cbc:PaymentID'),
    variableSymbolFrom(reference),
  );
  if (reference !== null && invoice.variable_symbol === null) notes.push(paymentReferenceNote(reference));
  // BT-9: an Invoice has cbc:DueDate; a CreditNote can only state it in its payment means.
  invoice.due_date =
    trace('due_date', path('cbc:DueDate'), date(document, 'DueDate', 'due date', notes)) ??
    trace(
      'due_date',
      path('cac:PaymentMeans/cbc:PaymentDueDate'),
      means.map((entry) => date(entry, 'PaymentDueDate', 'due date', notes)).find((entry) => entry !== null) ?? null,
    );
  for (const terms of children(document, 'PaymentTerms')) {
    for (const note of texts(children(terms, 'Note')).map(paymentTermsNote)) notes.push(note);
  }
}

function readVatBreakdown(document: XmlElement, invoice: NormalizedInvoice, path: PathOf, trace: SourceTrace): void {
  // A second TaxTotal may restate the VAT in the accounting currency (BT-111); it has no subtotals.
  const taxTotals = children(document, 'TaxTotal');
  const taxTotal =
    taxTotals.find((total) => children(total, 'TaxSubtotal').length > 0) ??
    taxTotals.find((total) => attribute(child(total, 'TaxAmount'), 'currencyID') === invoice.currency) ??
    taxTotals[0];
  invoice.total_vat = trace('total_vat', path('cac:TaxTotal/cbc:TaxAmount'), textAt(taxTotal, 'TaxAmount'));
  for (const subtotal of children(taxTotal, 'TaxSubtotal')) {
    const category = child(subtotal, 'TaxCategory');
    const code = textAt(category, 'ID');
    const rate = vatRateOf(textAt(category, 'Percent'), code);
    const base = textAt(subtotal, 'TaxableAmount');
    const tax = textAt(subtotal, 'TaxAmount');
    if (rate === null || base === null || tax === null) {
      invoice.notes.push(incompleteVatRowNote(rate, base, tax));
      continue;
    }
    invoice.vat_breakdown.push({ rate, base, tax });
    const reason = textAt(category, 'TaxExemptionReason') ?? textAt(category, 'TaxExemptionReasonCode');
    if (reason !== null) invoice.notes.push(vatExemptionNote(rate, code, reason));
  }
}

function readTotals(document: XmlElement, invoice: NormalizedInvoice, path: PathOf, trace: SourceTrace): void {
  const totals = child(document, 'LegalMonetaryTotal');
  const at = (name: string) => path(`cac:LegalMonetaryTotal/cbc:${name}`);
  invoice.total_net = trace('total_net', at('TaxExclusiveAmount'), textAt(totals, 'TaxExclusiveAmount')); // BT-109
  invoice.total_gross = trace('total_gross', at('TaxInclusiveAmount'), textAt(totals, 'TaxInclusiveAmount')); // BT-112
  invoice.amount_due = trace('amount_due', at('PayableAmount'), textAt(totals, 'PayableAmount')); // BT-115
  for (const adjustment of children(document, 'AllowanceCharge').map(ublAdjustment)) {
    invoice.notes.push(documentAdjustmentNote(adjustment));
  }
  const prepaid = textAt(totals, 'PrepaidAmount');
  if (isNonZero(prepaid)) invoice.notes.push(prepaidNote(prepaid));
  const rounding = textAt(totals, 'PayableRoundingAmount');
  if (isNonZero(rounding)) invoice.notes.push(roundingNote(rounding));
}

function readLine(line: XmlNode, lineNumber: number, quantityName: string, notes: string[]): InvoiceLine {
  const item = child(line, 'Item');
  const quantity = child(line, quantityName);
  const price = child(line, 'Price');
  const unitPrice = textAt(price, 'PriceAmount'); // BT-146, the net price
  const baseQuantity = textAt(price, 'BaseQuantity'); // BT-149
  if (unitPrice !== null && baseQuantity !== null && !isOne(baseQuantity)) {
    notes.push(priceBaseQuantityNote(lineNumber, unitPrice, baseQuantity));
  }
  const category = child(item, 'ClassifiedTaxCategory');
  const gtin = children(item, 'StandardItemIdentification')
    .map((identification) => child(identification, 'ID'))
    .find((id) => attribute(id, 'schemeID') === GTIN_SCHEME);
  return {
    line_number: lineNumber,
    item_code: textAt(item, 'SellersItemIdentification', 'ID'),
    ean: text(gtin),
    description: oneLine(textAt(item, 'Name') ?? textAt(item, 'Description')),
    quantity: text(quantity),
    unit: attribute(quantity, 'unitCode'),
    discount_percent: lineDiscountPercent(children(line, 'AllowanceCharge').map(ublAdjustment), lineNumber, notes),
    unit_price: unitPrice,
    unit_price_with_vat: null,
    vat_rate: vatRateOf(textAt(category, 'Percent'), textAt(category, 'ID')),
    line_net: textAt(line, 'LineExtensionAmount'), // BT-131
    line_gross: null,
  };
}

function ublAdjustment(node: XmlNode): Adjustment {
  const category = child(node, 'TaxCategory');
  return {
    charge: textAt(node, 'ChargeIndicator')?.toLowerCase() === 'true',
    amount: textAt(node, 'Amount'),
    reason: textAt(node, 'AllowanceChargeReason') ?? textAt(node, 'AllowanceChargeReasonCode'),
    percent: textAt(node, 'MultiplierFactorNumeric'),
    base: textAt(node, 'BaseAmount'),
    vatRate: category === undefined ? null : vatRateOf(textAt(category, 'Percent'), textAt(category, 'ID')),
  };
}

type PathOf = (relative: string) => string;

function date(node: XmlNode | undefined, name: string, label: string, notes: string[]): string | null {
  return isoDate(textAt(node, name), label, notes);
}
