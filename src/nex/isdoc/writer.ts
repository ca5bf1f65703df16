import { randomUUID } from 'node:crypto';
import { LoaderError } from '../../errors.ts';
import type { NormalizedInvoice, Party, VatBreakdownRow } from '../../invoice/normalizedInvoice.ts';
import { add, compare, type ExactDecimal, formatDecimal, parseDecimal, sum, ZERO } from '../../validate/decimal.ts';
import { isdocDocumentType } from '../../extract/structured/documentTypes.ts';
import { isdocLineAmounts, type IsdocLineAmounts } from './lineAmounts.ts';
import { branch, leaf, optionalLeaf, type XmlLines } from './xmlLines.ts';

export const ISDOC_NAMESPACE = 'http://isdoc.cz/namespace/2013';
export const ISDOC_VERSION = '6.0.2';
/** ISDOC's UUIDType pattern. */
const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/**
 * The normalized invoice as an ISDOC 6.0.2 Invoice: what the daemon writes for every posted
 * invoice (and, in outbox mode, its only output). Elements follow the order of
 * isdoc-invoice-6.0.2.xsd. Values are written exactly as the invoice holds them ("39.900" stays
 * "39.900"); an optional element with no value is left out; where the schema demands a value
 * the invoice does not have, the choice made is explained beside it.
 *
 * Refuses (LoaderError ISDOC_INCOMPLETE) an invoice without a number, an issue date or lines, or
 * with a line whose net amount or VAT rate cannot be known: ISDOC requires them and there is
 * no honest stand-in. The UUID is a fresh random one unless the caller passes the invoice's own
 * (ISDOC_UUID_INVALID if that is not a UUID).
 */
export function writeIsdoc(invoice: NormalizedInvoice, options: { uuid?: string } = {}): string {
  if (invoice.invoice_number === null) throw incomplete('has no invoice number');
  // IssueDate is mandatory; no date is ever invented, so an invoice without one is not written.
  if (invoice.issue_date === null) throw incomplete('has no issue date');
  if (invoice.lines.length === 0) throw incomplete('has no lines (ISDOC requires at least one)');
  const uuid = options.uuid ?? randomUUID();
  if (!UUID_PATTERN.test(uuid))
    throw new LoaderError('ISDOC_UUID_INVALID', `"${uuid}" is not a UUID; ISDOC needs one.`);
  const rates = distinctRates(invoice);
  const lines = invoice.lines.map((line) => isdocLineAmounts(line, rates.length === 1 ? rates[0]! : null));
  const subtotals = taxSubtotals(invoice, lines);
  const totalVat = invoice.total_vat ?? formatDecimal(sum(subtotals.map((row) => decimal(row.tax))));
  const totalNet = invoice.total_net ?? formatDecimal(sum(subtotals.map((row) => decimal(row.base))));
  const totalGross = invoice.total_gross ?? formatDecimal(add(decimal(totalNet), decimal(totalVat)));
  const payable = invoice.amount_due ?? totalGross;

  const document = branch(
    'Invoice',
    [
      leaf('DocumentType', isdocDocumentType(invoice.document_type)),
      leaf('ID', invoice.invoice_number),
      leaf('UUID', uuid),
      leaf('IssuingSystem', 'Supplier Invoice Loader'),
      leaf('IssueDate', invoice.issue_date),
      // Optional in the schema: left out rather than copied from the issue date.
      optionalLeaf('TaxPointDate', invoice.tax_point_date),
      leaf('VATApplicable', String(vatApplicable(invoice, rates))),
      // Mandatory, but only meaningful for invoices exchanged under such an agreement: empty.
      leaf('ElectronicPossibilityAgreementReference', ''),
      // ISDOC has one Note: several notes become its lines.
      optionalLeaf('Note', invoice.notes.length === 0 ? null : invoice.notes.join('\n')),
      // Mandatory; an invoice with no currency stated is taken to be in euro, the currency of
      // every Slovak supplier's domestic invoice (the validator reports the missing currency).
      leaf('LocalCurrencyCode', invoice.currency ?? 'EUR'),
      // Everything is written in the invoice's own currency, so no conversion applies.
      leaf('CurrRate', '1'),
      leaf('RefCurrRate', '1'),
      branch('AccountingSupplierParty', [party(invoice.supplier)]),
      branch('AccountingCustomerParty', [party(invoice.customer)]),
      orderReferences(invoice.order_reference),
      branch(
        'InvoiceLines',
        invoice.lines.map((line, index) => invoiceLine(line, lines[index]!)),
      ),
      branch('TaxTotal', [...subtotals.map(taxSubTotal), leaf('TaxAmount', totalVat)]),
      legalMonetaryTotal(totalNet, totalGross, payable),
      paymentMeans(invoice, payable),
    ],
    { xmlns: ISDOC_NAMESPACE, version: ISDOC_VERSION },
  );
  return ['<?xml version="1.0" encoding="UTF-8"?>', ...document, ''].join('\n');
}

/**
 * PartyIdentification/ID (IČO), PartyName and the whole PostalAddress (down to BuildingNumber
 * and the country's name) are mandatory strings in ISDOC; what the invoice lacks is written
 * empty, never guessed. The street is written whole in StreetName: splitting "Hlavná 12/A"
 * into street and number would be a guess too.
 */
function party(party: Party): XmlLines {
  const vatId = party.vat_id ?? party.ic_dph;
  return branch('Party', [
    branch('PartyIdentification', [leaf('ID', party.ico ?? '')]),
    branch('PartyName', [leaf('Name', party.name ?? '')]),
    branch('PostalAddress', [
      leaf('StreetName', party.street ?? ''),
      leaf('BuildingNumber', ''),
      leaf('CityName', party.city ?? ''),
      leaf('PostalZone', party.zip ?? ''),
      branch('Country', [leaf('IdentificationCode', party.country ?? ''), leaf('Name', '')]),
    ]),
    // ISDOC's convention: scheme VAT holds the IČ DPH (Slovak) or DIČ (Czech, which is the VAT
    // number), scheme TIN the Slovak DIČ.
    vatId === null ? [] : partyTaxScheme(vatId, 'VAT'),
    party.dic === null || party.dic === vatId ? [] : partyTaxScheme(party.dic, 'TIN'),
  ]);
}

function partyTaxScheme(companyId: string, scheme: string): XmlLines {
  return branch('PartyTaxScheme', [leaf('CompanyID', companyId), leaf('TaxScheme', scheme)]);
}

/**
 * Our order reference is the buyer's order number: ISDOC's ExternalOrderID. SalesOrderID, the
 * supplier's own number for that order, is mandatory and unknown to us; the buyer's number is
 * the one both sides can find, so it is written there too.
 */
function orderReferences(reference: string | null): XmlLines {
  if (reference === null) return [];
  return branch('OrderReferences', [
    branch('OrderReference', [leaf('SalesOrderID', reference), leaf('ExternalOrderID', reference)], { id: 'order-1' }),
  ]);
}

function invoiceLine(line: NormalizedInvoice['lines'][number], amounts: IsdocLineAmounts): XmlLines {
  const item = [
    optionalLeaf('Description', line.description),
    line.ean === null ? [] : branch('CatalogueItemIdentification', [leaf('ID', line.ean)]),
    line.item_code === null ? [] : branch('SellersItemIdentification', [leaf('ID', line.item_code)]),
  ];
  return branch('InvoiceLine', [
    leaf('ID', String(line.line_number)),
    optionalLeaf('InvoicedQuantity', line.quantity, { unitCode: line.unit }),
    leaf('LineExtensionAmount', amounts.net),
    optionalLeaf('LineExtensionAmountBeforeDiscount', amounts.netBeforeDiscount),
    leaf('LineExtensionAmountTaxInclusive', amounts.gross),
    leaf('LineExtensionTaxAmount', amounts.tax),
    leaf('UnitPrice', amounts.unitPrice),
    leaf('UnitPriceTaxInclusive', amounts.unitPriceWithVat),
    branch('ClassifiedTaxCategory', [
      leaf('Percent', amounts.vatRate),
      // 0: VAT computed "from the bottom", on the net amount, as the net amounts here are given.
      leaf('VATCalculationMethod', '0'),
    ]),
    item.some((lines) => lines.length > 0) ? branch('Item', item) : [],
  ]);
}

/**
 * One TaxSubTotal per VAT rate: the invoice's breakdown, rows of equal rate merged. With no
 * breakdown on the invoice (ISDOC requires one), it is summed from the lines, each line's VAT
 * as computed for its line. Nothing is claimed from advance invoices, so the "already
 * claimed" amounts are 0 and the "difference" amounts equal the totals.
 */
function taxSubtotals(invoice: NormalizedInvoice, lines: IsdocLineAmounts[]): VatBreakdownRow[] {
  const rows: VatBreakdownRow[] =
    invoice.vat_breakdown.length > 0
      ? invoice.vat_breakdown
      : lines.map((line) => ({ rate: line.vatRate, base: line.net, tax: line.tax }));
  const merged: VatBreakdownRow[] = [];
  for (const row of rows) {
    const same = merged.find((entry) => compare(decimal(entry.rate), decimal(row.rate)) === 0);
    if (same === undefined) merged.push({ ...row });
    else {
      same.base = formatDecimal(add(decimal(same.base), decimal(row.base)));
      same.tax = formatDecimal(add(decimal(same.tax), decimal(row.tax)));
    }
  }
  return merged;
}

function taxSubTotal(row: VatBreakdownRow): XmlLines {
  const inclusive = formatDecimal(add(decimal(row.base), decimal(row.tax)));
  return branch('TaxSubTotal', [
    leaf('TaxableAmount', row.base),
    leaf('TaxAmount', row.tax),
    leaf('TaxInclusiveAmount', inclusive),
    leaf('AlreadyClaimedTaxableAmount', '0'),
    leaf('AlreadyClaimedTaxAmount', '0'),
    leaf('AlreadyClaimedTaxInclusiveAmount', '0'),
    leaf('DifferenceTaxableAmount', row.base),
    leaf('DifferenceTaxAmount', row.tax),
    leaf('DifferenceTaxInclusiveAmount', inclusive),
    branch('TaxCategory', [leaf('Percent', row.rate)]),
  ]);
}

/** No advance invoices are settled here: claimed and paid deposits are 0. */
function legalMonetaryTotal(net: string, gross: string, payable: string): XmlLines {
  return branch('LegalMonetaryTotal', [
    leaf('TaxExclusiveAmount', net),
    leaf('TaxInclusiveAmount', gross),
    leaf('AlreadyClaimedTaxExclusiveAmount', '0'),
    leaf('AlreadyClaimedTaxInclusiveAmount', '0'),
    leaf('DifferenceTaxExclusiveAmount', net),
    leaf('DifferenceTaxInclusiveAmount', gross),
    leaf('PaidDepositsAmount', '0'),
    leaf('PayableAmount', payable),
  ]);
}

/**
 * 42 (transfer to an account) is how suppliers are paid. A transfer's Details need the due
 * date; without one the IBAN and BIC still go in, as an alternate account, but the variable and
 * constant symbols (which only Details can hold) cannot. Details also demand the local account
 * number, bank code and bank name, which a Slovak invoice does not print beside its IBAN:
 * they are written empty.
 */
function paymentMeans(invoice: NormalizedInvoice, payable: string): XmlLines {
  const { iban, bic } = invoice.supplier;
  if (invoice.due_date === null && iban === null && bic === null) return [];
  const account = [
    leaf('ID', ''),
    leaf('BankCode', ''),
    leaf('Name', ''),
    leaf('IBAN', iban ?? ''),
    leaf('BIC', bic ?? ''),
  ];
  const payment = branch('Payment', [
    leaf('PaidAmount', payable),
    leaf('PaymentMeansCode', '42'),
    invoice.due_date === null
      ? []
      : branch('Details', [
          leaf('PaymentDueDate', invoice.due_date),
          ...account,
          optionalLeaf('VariableSymbol', invoice.variable_symbol),
          optionalLeaf('ConstantSymbol', invoice.constant_symbol),
        ]),
  ]);
  const alternate =
    invoice.due_date === null ? branch('AlternateBankAccounts', [branch('AlternateBankAccount', account)]) : [];
  return branch('PaymentMeans', [payment, alternate]);
}

/**
 * VATApplicable: whether the document is subject to VAT. Yes when the supplier is registered
 * for VAT or any rate is above zero; a supplier with neither issues invoices without VAT.
 */
function vatApplicable(invoice: NormalizedInvoice, rates: string[]): boolean {
  const registered = invoice.supplier.vat_id !== null || invoice.supplier.ic_dph !== null;
  return registered || rates.some((rate) => compare(decimal(rate), ZERO) !== 0);
}

function distinctRates(invoice: NormalizedInvoice): string[] {
  const rates: string[] = [];
  const all = [...invoice.vat_breakdown.map((row) => row.rate), ...invoice.lines.map((line) => line.vat_rate)];
  for (const rate of all) {
    if (rate !== null && !rates.some((known) => compare(decimal(known), decimal(rate)) === 0)) rates.push(rate);
  }
  return rates;
}

function decimal(text: string): ExactDecimal {
  const value = parseDecimal(text);
  if (value === null) throw incomplete(`has an amount "${text}" that is not a number`);
  return value;
}

function incomplete(problem: string): LoaderError {
  return new LoaderError('ISDOC_INCOMPLETE', `The invoice ${problem}; ISDOC cannot be written for it.`);
}
