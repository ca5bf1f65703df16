/**
 * Structured e-invoices for the extraction tests, generated here so no test depends on files
 * outside the repository: one Slovak sample invoice (and a credit note) as a NormalizedInvoice,
 * and builders that write any NormalizedInvoice as realistic UBL 2.1 (Peppol BIS 3.0), CII
 * (Factur-X EN 16931) or ISDOC 6.0.2. The builders are written independently of the parsers
 * under test, from the standards, so a round trip proves the parsers against the standards
 * rather than against themselves.
 */
import {
  emptyInvoice,
  emptyLine,
  type InvoiceLine,
  type NormalizedInvoice,
  type Party,
} from '../../src/invoice/normalizedInvoice.ts';
import { add, formatDecimal, multiply, parseDecimal, roundHalfUp, subtract } from '../../src/validate/decimal.ts';

function line(line_number: number, fields: Partial<InvoiceLine>): InvoiceLine {
  return { ...emptyLine(line_number), ...fields };
}

const SUPPLIER: Party = {
  name: 'L&Š s.r.o.',
  ico: '36555720',
  dic: '2020317068',
  ic_dph: 'SK2020317068',
  vat_id: 'SK2020317068',
  street: 'Priemyselná 12',
  city: 'Nitra',
  zip: '949 01',
  country: 'SK',
};

const CUSTOMER: Party = {
  name: 'Mágerstav s.r.o.',
  ico: '35757442',
  dic: '2021234567',
  ic_dph: 'SK2021234567',
  vat_id: 'SK2021234567',
  street: 'Stavbárska 7',
  city: 'Trnava',
  zip: '917 01',
  country: 'SK',
};

/**
 * The sample invoice from L&Š to Mágerstav, with everything UBL, CII and ISDOC all carry:
 * three lines at 23% and 5%, one with a 10% discount, sums exact to the cent.
 *   23%: 2 × 39.900 = 79.80; 10 × 4.150 = 41.50 − 10% = 37.35 → base 117.15, VAT 26.9445 → 26.94
 *    5%: 3 × 12.49 = 37.47 → base 37.47, VAT 1.8735 → 1.87
 *   net 154.62 + VAT 28.81 = gross 183.43
 * Prices keep their written precision ("39.900"), and the texts hold &, <, >, quotes and
 * Slovak letters so that escaping is exercised in every syntax.
 */
export function slovakSampleInvoice(): NormalizedInvoice {
  return {
    ...emptyInvoice('none'),
    document_type: 'invoice',
    invoice_number: 'FV2026001234',
    issue_date: '2026-07-24',
    tax_point_date: '2026-07-21',
    due_date: '2026-08-23',
    currency: 'EUR',
    variable_symbol: '2026001234',
    order_reference: 'OBJ-2026/0815',
    supplier: { ...SUPPLIER, iban: 'SK3112000000198742637541', bic: 'TATRSKBX' },
    customer: { ...CUSTOMER },
    vat_breakdown: [
      { rate: '23', base: '117.15', tax: '26.94' },
      { rate: '5', base: '37.47', tax: '1.87' },
    ],
    total_net: '154.62',
    total_vat: '28.81',
    total_gross: '183.43',
    amount_due: '183.43',
    lines: [
      line(1, {
        item_code: 'P89380',
        ean: '8583175073808',
        description: 'Hydroizolačná stierka 15kg',
        quantity: '2',
        unit: 'H87',
        unit_price: '39.900',
        vat_rate: '23',
        line_net: '79.80',
      }),
      line(2, {
        item_code: 'P10233',
        description: 'Lepidlo na obklad "Flex" C2TE <25 kg>',
        quantity: '10',
        unit: 'H87',
        discount_percent: '10',
        unit_price: '4.150',
        vat_rate: '23',
        line_net: '37.35',
      }),
      line(3, {
        item_code: 'K-0042',
        ean: '9788080000007',
        description: 'Príručka: Zateplenie & izolácie',
        quantity: '3',
        unit: 'H87',
        unit_price: '12.49',
        vat_rate: '5',
        line_net: '37.47',
      }),
    ],
    notes: ['Tovar prevziať na sklade <B2> & skontrolovať pri prevzatí.'],
  };
}

/**
 * The same invoice as an ISDOC carries it: ISDOC also states each line's amounts with VAT
 * (unit price × 1.23, line net × 1.23, rounded half-up to the price's own precision and to
 * cents; they add up to the gross 183.43) and the constant symbol.
 *   98.15 = 79.80 × 1.23 (98.154);  45.94 = 37.35 × 1.23 (45.9405);  39.34 = 37.47 × 1.05 (39.3435)
 */
export function slovakSampleIsdocInvoice(): NormalizedInvoice {
  const invoice = slovakSampleInvoice();
  invoice.constant_symbol = '0308';
  const withVat: Array<[string, string]> = [
    ['49.077', '98.15'],
    ['5.105', '45.94'],
    ['13.11', '39.34'],
  ];
  invoice.lines.forEach((entry, index) => {
    [entry.unit_price_with_vat, entry.line_gross] = withVat[index]!;
  });
  return invoice;
}

/**
 * A credit note (dobropis) for one of the two buckets of stierka: positive quantities and
 * amounts, as a UBL CreditNote states them.  39.90 × 23% = 9.177 → 9.18; gross 49.08.
 */
export function slovakSampleCreditNote(): NormalizedInvoice {
  const invoice = slovakSampleInvoice();
  return {
    ...invoice,
    document_type: 'credit_note',
    invoice_number: 'DB2026000077',
    issue_date: '2026-07-30',
    tax_point_date: '2026-07-30',
    due_date: '2026-08-13',
    variable_symbol: '2026000077',
    vat_breakdown: [{ rate: '23', base: '39.90', tax: '9.18' }],
    total_net: '39.90',
    total_vat: '9.18',
    total_gross: '49.08',
    amount_due: '49.08',
    lines: [{ ...invoice.lines[0]!, quantity: '1', line_net: '39.90' }],
    notes: ['Dobropis k faktúre FV2026001234: vrátený 1 kus poškodený pri preprave.'],
  };
}

/** The invoice without `source`: what a round trip must give back unchanged. */
export function withoutSource(invoice: NormalizedInvoice): Omit<NormalizedInvoice, 'source'> {
  const { source: _source, ...rest } = invoice;
  return rest;
}

/**
 * Every field in which `actual` differs from `expected`, as "path: actual ≠ expected", header
 * field by header field and line by line (`source` is not compared). Empty when they agree.
 */
export function invoiceDifferences(actual: NormalizedInvoice, expected: NormalizedInvoice): string[] {
  const differences: string[] = [];
  const visit = (path: string, a: unknown, e: unknown): void => {
    if (Array.isArray(e) && Array.isArray(a)) {
      if (a.length !== e.length) differences.push(`${path}: ${a.length} entries ≠ ${e.length}`);
      for (let index = 0; index < Math.min(a.length, e.length); index++) visit(`${path}[${index}]`, a[index], e[index]);
    } else if (e !== null && typeof e === 'object' && a !== null && typeof a === 'object') {
      const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
      for (const key of keys) {
        visit(
          path === '' ? key : `${path}.${key}`,
          (a as Record<string, unknown>)[key],
          (e as Record<string, unknown>)[key],
        );
      }
    } else if (a !== e) {
      differences.push(`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(e)}`);
    }
  };
  visit('', withoutSource(actual), withoutSource(expected));
  return differences;
}

// ---------------------------------------------------------------------------------------------
// Writing XML

function escape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name attrs>value</name>`, or nothing when the value is null. */
function el(name: string, value: string | null, attributes: Record<string, string | null> = {}): string {
  if (value === null) return '';
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${escape(v!)}"`)
    .join('');
  return `<${name}${attrs}>${escape(value)}</${name}>`;
}

/** `<name>children</name>`, or nothing when no child was written. */
function group(name: string, ...children: string[]): string {
  const content = children.filter((child) => child !== '');
  return content.length === 0 ? '' : `<${name}>\n${content.join('\n')}\n</${name}>`;
}

/** quantity × price rounded to cents: the amount a line discount is taken from. */
function grossLineAmount(entry: InvoiceLine): string | null {
  if (entry.quantity === null || entry.unit_price === null) return null;
  return formatDecimal(roundHalfUp(multiply(parseDecimal(entry.quantity)!, parseDecimal(entry.unit_price)!), 2));
}

function discountAmount(entry: InvoiceLine): string | null {
  const before = grossLineAmount(entry);
  if (before === null || entry.line_net === null) return null;
  return formatDecimal(subtract(parseDecimal(before)!, parseDecimal(entry.line_net)!));
}

const UNTDID_1001: Record<string, string> = { invoice: '380', credit_note: '381', advance_invoice: '386' };

// ---------------------------------------------------------------------------------------------
// UBL 2.1 (Peppol BIS Billing 3.0)

const UBL_NAMESPACES = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
};

/** The invoice as a UBL 2.1 Invoice or CreditNote, in the element order of the UBL schema. */
export function buildUbl(invoice: NormalizedInvoice, kind: 'Invoice' | 'CreditNote' = 'Invoice'): string {
  const currency = invoice.currency;
  const money = (name: string, value: string | null) => el(name, value, { currencyID: currency });
  const isCreditNote = kind === 'CreditNote';
  const typeCode = UNTDID_1001[invoice.document_type ?? 'invoice'] ?? '380';
  const body = [
    el('cbc:CustomizationID', 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'),
    el('cbc:ProfileID', 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0'),
    el('cbc:ID', invoice.invoice_number),
    el('cbc:IssueDate', invoice.issue_date),
    isCreditNote ? '' : el('cbc:DueDate', invoice.due_date),
    el(isCreditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode', typeCode),
    ...invoice.notes.map((note) => el('cbc:Note', note)),
    el('cbc:TaxPointDate', invoice.tax_point_date),
    el('cbc:DocumentCurrencyCode', currency),
    el('cbc:BuyerReference', invoice.order_reference),
    group('cac:OrderReference', el('cbc:ID', invoice.order_reference)),
    group('cac:AccountingSupplierParty', ublParty(invoice.supplier)),
    group('cac:AccountingCustomerParty', ublParty(invoice.customer)),
    group(
      'cac:PaymentMeans',
      el('cbc:PaymentMeansCode', '30', { name: 'Credit transfer' }),
      isCreditNote ? el('cbc:PaymentDueDate', invoice.due_date) : '',
      el('cbc:PaymentID', invoice.variable_symbol),
      group(
        'cac:PayeeFinancialAccount',
        el('cbc:ID', invoice.supplier.iban),
        group('cac:FinancialInstitutionBranch', el('cbc:ID', invoice.supplier.bic)),
      ),
    ),
    group(
      'cac:TaxTotal',
      money('cbc:TaxAmount', invoice.total_vat),
      ...invoice.vat_breakdown.map((row) =>
        group(
          'cac:TaxSubtotal',
          money('cbc:TaxableAmount', row.base),
          money('cbc:TaxAmount', row.tax),
          group('cac:TaxCategory', el('cbc:ID', 'S'), el('cbc:Percent', row.rate), ublTaxScheme('VAT')),
        ),
      ),
    ),
    group(
      'cac:LegalMonetaryTotal',
      money('cbc:LineExtensionAmount', invoice.total_net),
      money('cbc:TaxExclusiveAmount', invoice.total_net),
      money('cbc:TaxInclusiveAmount', invoice.total_gross),
      money('cbc:PayableAmount', invoice.amount_due),
    ),
    ...invoice.lines.map((entry) =>
      group(
        isCreditNote ? 'cac:CreditNoteLine' : 'cac:InvoiceLine',
        el('cbc:ID', String(entry.line_number)),
        el(isCreditNote ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', entry.quantity, { unitCode: entry.unit }),
        money('cbc:LineExtensionAmount', entry.line_net),
        entry.discount_percent === null
          ? ''
          : group(
              'cac:AllowanceCharge',
              el('cbc:ChargeIndicator', 'false'),
              el('cbc:AllowanceChargeReasonCode', '95'),
              el('cbc:AllowanceChargeReason', 'Zľava'),
              el('cbc:MultiplierFactorNumeric', entry.discount_percent),
              money('cbc:Amount', discountAmount(entry)),
              money('cbc:BaseAmount', grossLineAmount(entry)),
            ),
        group(
          'cac:Item',
          el('cbc:Name', entry.description),
          group('cac:SellersItemIdentification', el('cbc:ID', entry.item_code)),
          group('cac:StandardItemIdentification', el('cbc:ID', entry.ean, { schemeID: '0160' })),
          group('cac:ClassifiedTaxCategory', el('cbc:ID', 'S'), el('cbc:Percent', entry.vat_rate), ublTaxScheme('VAT')),
        ),
        group('cac:Price', money('cbc:PriceAmount', entry.unit_price)),
      ),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<${kind} xmlns="${UBL_NAMESPACES[kind]}"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
${body.filter((part) => part !== '').join('\n')}
</${kind}>
`;
}

function ublTaxScheme(id: string): string {
  return group('cac:TaxScheme', el('cbc:ID', id));
}

function ublParty(party: Party): string {
  return group(
    'cac:Party',
    el('cbc:EndpointID', party.vat_id, { schemeID: '9950' }),
    group('cac:PartyName', el('cbc:Name', party.name)),
    group(
      'cac:PostalAddress',
      el('cbc:StreetName', party.street),
      el('cbc:CityName', party.city),
      el('cbc:PostalZone', party.zip),
      group('cac:Country', el('cbc:IdentificationCode', party.country)),
    ),
    group('cac:PartyTaxScheme', el('cbc:CompanyID', party.vat_id), ublTaxScheme('VAT')),
    party.dic === null ? '' : group('cac:PartyTaxScheme', el('cbc:CompanyID', party.dic), ublTaxScheme('TAX')),
    group('cac:PartyLegalEntity', el('cbc:RegistrationName', party.name), el('cbc:CompanyID', party.ico)),
  );
}

// ---------------------------------------------------------------------------------------------
// UN/CEFACT CII D16B (Factur-X / ZUGFeRD EN 16931 profile)

/** "2026-07-24" → format 102, "20260724". */
function cii102(name: string, elementName: string, date: string | null): string {
  return date === null ? '' : group(name, el(elementName, date.replaceAll('-', ''), { format: '102' }));
}

/** The invoice as a CII CrossIndustryInvoice, in the element order of the D16B schema. */
export function buildCii(invoice: NormalizedInvoice): string {
  const typeCode = UNTDID_1001[invoice.document_type ?? 'invoice'] ?? '380';
  const lines = invoice.lines.map((entry) =>
    group(
      'ram:IncludedSupplyChainTradeLineItem',
      group('ram:AssociatedDocumentLineDocument', el('ram:LineID', String(entry.line_number))),
      group(
        'ram:SpecifiedTradeProduct',
        el('ram:GlobalID', entry.ean, { schemeID: '0160' }),
        el('ram:SellerAssignedID', entry.item_code),
        el('ram:Name', entry.description),
      ),
      group(
        'ram:SpecifiedLineTradeAgreement',
        group('ram:NetPriceProductTradePrice', el('ram:ChargeAmount', entry.unit_price)),
      ),
      group('ram:SpecifiedLineTradeDelivery', el('ram:BilledQuantity', entry.quantity, { unitCode: entry.unit })),
      group(
        'ram:SpecifiedLineTradeSettlement',
        group(
          'ram:ApplicableTradeTax',
          el('ram:TypeCode', 'VAT'),
          el('ram:CategoryCode', 'S'),
          el('ram:RateApplicablePercent', entry.vat_rate),
        ),
        entry.discount_percent === null
          ? ''
          : group(
              'ram:SpecifiedTradeAllowanceCharge',
              group('ram:ChargeIndicator', el('udt:Indicator', 'false')),
              el('ram:CalculationPercent', entry.discount_percent),
              el('ram:BasisAmount', grossLineAmount(entry)),
              el('ram:ActualAmount', discountAmount(entry)),
              el('ram:ReasonCode', '95'),
              el('ram:Reason', 'Zľava'),
            ),
        group('ram:SpecifiedTradeSettlementLineMonetarySummation', el('ram:LineTotalAmount', entry.line_net)),
      ),
    ),
  );
  const body = [
    group(
      'rsm:ExchangedDocumentContext',
      group('ram:GuidelineSpecifiedDocumentContextParameter', el('ram:ID', 'urn:cen.eu:en16931:2017')),
    ),
    group(
      'rsm:ExchangedDocument',
      el('ram:ID', invoice.invoice_number),
      el('ram:TypeCode', typeCode),
      cii102('ram:IssueDateTime', 'udt:DateTimeString', invoice.issue_date),
      ...invoice.notes.map((note) => group('ram:IncludedNote', el('ram:Content', note))),
    ),
    group(
      'rsm:SupplyChainTradeTransaction',
      ...lines,
      group(
        'ram:ApplicableHeaderTradeAgreement',
        el('ram:BuyerReference', invoice.order_reference),
        group('ram:SellerTradeParty', ...ciiParty(invoice.supplier)),
        group('ram:BuyerTradeParty', ...ciiParty(invoice.customer)),
        group('ram:BuyerOrderReferencedDocument', el('ram:IssuerAssignedID', invoice.order_reference)),
      ),
      '<ram:ApplicableHeaderTradeDelivery/>',
      group(
        'ram:ApplicableHeaderTradeSettlement',
        el('ram:PaymentReference', invoice.variable_symbol),
        el('ram:InvoiceCurrencyCode', invoice.currency),
        group(
          'ram:SpecifiedTradeSettlementPaymentMeans',
          el('ram:TypeCode', '30'),
          group('ram:PayeePartyCreditorFinancialAccount', el('ram:IBANID', invoice.supplier.iban)),
          group('ram:PayeeSpecifiedCreditorFinancialInstitution', el('ram:BICID', invoice.supplier.bic)),
        ),
        ...invoice.vat_breakdown.map((row) =>
          group(
            'ram:ApplicableTradeTax',
            el('ram:CalculatedAmount', row.tax),
            el('ram:TypeCode', 'VAT'),
            el('ram:BasisAmount', row.base),
            el('ram:CategoryCode', 'S'),
            cii102('ram:TaxPointDate', 'udt:DateString', invoice.tax_point_date),
            el('ram:RateApplicablePercent', row.rate),
          ),
        ),
        group('ram:SpecifiedTradePaymentTerms', cii102('ram:DueDateDateTime', 'udt:DateTimeString', invoice.due_date)),
        group(
          'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
          el('ram:LineTotalAmount', invoice.total_net),
          el('ram:TaxBasisTotalAmount', invoice.total_net),
          el('ram:TaxTotalAmount', invoice.total_vat, { currencyID: invoice.currency }),
          el('ram:GrandTotalAmount', invoice.total_gross),
          el('ram:DuePayableAmount', invoice.amount_due),
        ),
      ),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
${body.filter((part) => part !== '').join('\n')}
</rsm:CrossIndustryInvoice>
`;
}

function ciiParty(party: Party): string[] {
  return [
    el('ram:Name', party.name),
    group('ram:SpecifiedLegalOrganization', el('ram:ID', party.ico)),
    group(
      'ram:PostalTradeAddress',
      el('ram:PostcodeCode', party.zip),
      el('ram:LineOne', party.street),
      el('ram:CityName', party.city),
      el('ram:CountryID', party.country),
    ),
    group('ram:SpecifiedTaxRegistration', el('ram:ID', party.vat_id, { schemeID: 'VA' })),
    group('ram:SpecifiedTaxRegistration', el('ram:ID', party.dic, { schemeID: 'FC' })),
  ];
}

// ---------------------------------------------------------------------------------------------
// ISDOC 6.0.2

const ISDOC_DOCUMENT_TYPES: Record<string, string> = {
  invoice: '1',
  credit_note: '2',
  advance_invoice: '4',
  payment_tax_document: '5',
};

/**
 * The invoice as an ISDOC 6.0.2 Invoice, as a Czech accounting system writes one (street and
 * building number apart, IBAN and symbols in the payment details). A value the invoice lacks is
 * left out even where the schema wants it: this builds fixtures, the writer under test is
 * src/nex/isdoc/writer.ts.
 */
export function buildIsdoc(invoice: NormalizedInvoice): string {
  const body = [
    el('DocumentType', ISDOC_DOCUMENT_TYPES[invoice.document_type ?? 'invoice'] ?? '1'),
    el('ID', invoice.invoice_number),
    el('UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'),
    el('IssueDate', invoice.issue_date),
    el('TaxPointDate', invoice.tax_point_date),
    el('VATApplicable', 'true'),
    '<ElectronicPossibilityAgreementReference/>',
    el('Note', invoice.notes.length === 0 ? null : invoice.notes.join('\n')),
    el('LocalCurrencyCode', invoice.currency),
    el('CurrRate', '1'),
    el('RefCurrRate', '1'),
    group('AccountingSupplierParty', isdocParty(invoice.supplier)),
    group('AccountingCustomerParty', isdocParty(invoice.customer)),
    invoice.order_reference === null
      ? ''
      : `<OrderReferences>\n<OrderReference id="OBJ1">\n${el('SalesOrderID', 'ZAK-77812')}\n${el('ExternalOrderID', invoice.order_reference)}\n</OrderReference>\n</OrderReferences>`,
    group(
      'InvoiceLines',
      ...invoice.lines.map((entry) =>
        group(
          'InvoiceLine',
          el('ID', String(entry.line_number)),
          el('InvoicedQuantity', entry.quantity, { unitCode: entry.unit }),
          el('LineExtensionAmount', entry.line_net),
          entry.discount_percent === null ? '' : el('LineExtensionAmountBeforeDiscount', grossLineAmount(entry)),
          el('LineExtensionAmountTaxInclusive', entry.line_gross),
          el(
            'LineExtensionTaxAmount',
            entry.line_gross === null || entry.line_net === null
              ? null
              : formatDecimal(subtract(parseDecimal(entry.line_gross)!, parseDecimal(entry.line_net)!)),
          ),
          el('UnitPrice', entry.unit_price),
          el('UnitPriceTaxInclusive', entry.unit_price_with_vat),
          group('ClassifiedTaxCategory', el('Percent', entry.vat_rate), el('VATCalculationMethod', '0')),
          group(
            'Item',
            el('Description', entry.description),
            group('CatalogueItemIdentification', el('ID', entry.ean)),
            group('SellersItemIdentification', el('ID', entry.item_code)),
          ),
        ),
      ),
    ),
    group(
      'TaxTotal',
      ...invoice.vat_breakdown.map((row) => {
        const withTax = formatDecimal(add(parseDecimal(row.base)!, parseDecimal(row.tax)!));
        return group(
          'TaxSubTotal',
          el('TaxableAmount', row.base),
          el('TaxAmount', row.tax),
          el('TaxInclusiveAmount', withTax),
          el('AlreadyClaimedTaxableAmount', '0'),
          el('AlreadyClaimedTaxAmount', '0'),
          el('AlreadyClaimedTaxInclusiveAmount', '0'),
          el('DifferenceTaxableAmount', row.base),
          el('DifferenceTaxAmount', row.tax),
          el('DifferenceTaxInclusiveAmount', withTax),
          group('TaxCategory', el('Percent', row.rate)),
        );
      }),
      el('TaxAmount', invoice.total_vat),
    ),
    group(
      'LegalMonetaryTotal',
      el('TaxExclusiveAmount', invoice.total_net),
      el('TaxInclusiveAmount', invoice.total_gross),
      el('AlreadyClaimedTaxExclusiveAmount', '0'),
      el('AlreadyClaimedTaxInclusiveAmount', '0'),
      el('DifferenceTaxExclusiveAmount', invoice.total_net),
      el('DifferenceTaxInclusiveAmount', invoice.total_gross),
      el('PayableRoundingAmount', '0'),
      el('PaidDepositsAmount', '0'),
      el('PayableAmount', invoice.amount_due),
    ),
    group(
      'PaymentMeans',
      group(
        'Payment',
        el('PaidAmount', invoice.amount_due),
        el('PaymentMeansCode', '42'),
        group(
          'Details',
          el('PaymentDueDate', invoice.due_date),
          el('ID', '1987426375'),
          el('BankCode', '1200'),
          el('Name', 'Tatra banka, a.s.'),
          el('IBAN', invoice.supplier.iban),
          el('BIC', invoice.supplier.bic),
          el('VariableSymbol', invoice.variable_symbol),
          el('ConstantSymbol', invoice.constant_symbol),
        ),
      ),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="http://isdoc.cz/namespace/2013" version="6.0.2">
${body.filter((part) => part !== '').join('\n')}
</Invoice>
`;
}

function isdocParty(party: Party): string {
  const [, streetName = party.street, buildingNumber = null] = /^(.*\S)\s+(\d[\w/-]*)$/.exec(party.street ?? '') ?? [];
  return group(
    'Party',
    group('PartyIdentification', el('ID', party.ico)),
    group('PartyName', el('Name', party.name)),
    group(
      'PostalAddress',
      el('StreetName', streetName),
      el('BuildingNumber', buildingNumber),
      el('CityName', party.city),
      el('PostalZone', party.zip),
      group(
        'Country',
        el('IdentificationCode', party.country),
        el('Name', party.country === 'SK' ? 'Slovensko' : null),
      ),
    ),
    group('PartyTaxScheme', el('CompanyID', party.vat_id), el('TaxScheme', 'VAT')),
    group('PartyTaxScheme', el('CompanyID', party.dic), el('TaxScheme', 'TIN')),
  );
}
