import test from 'ava';
import { extractDocument } from '../../../src/extract/extractDocument.ts';
import { detectXmlFormat, parseInvoiceXml } from '../../../src/extract/structured/index.ts';
import { pdfFile } from '../../support/pdfFiles.ts';

/** A ZUGFeRD 1.0 COMFORT invoice as older German ERP systems embed it: 2013 CII names. */
const zugferd1 = (profile: 'BASIC' | 'COMFORT' | 'EXTENDED') => `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:${profile.toLowerCase()}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>RE-1013</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>Lieferant GmbH</ram:Name>
        <ram:PostalTradeAddress><ram:PostcodeCode>80333</ram:PostcodeCode><ram:LineOne>Lieferantenstraße 20</ram:LineOne><ram:CityName>München</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format="102">20130304</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableSupplyChainTradeDelivery>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">37.62</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount currencyID="EUR">198.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
      <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">19.25</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount currencyID="EUR">275.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>7.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20130404</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">473.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="EUR">473.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="EUR">529.87</ram:GrandTotalAmount>
        <ram:DuePayableAmount currencyID="EUR">529.87</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedSupplyChainTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.9000</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:SellerAssignedID>TB100A4</ram:SellerAssignedID><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedSupplyChainTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">5.5000</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">50.0000</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>7.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">275.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:SellerAssignedID>ARNR2</ram:SellerAssignedID><ram:Name>Joghurt Banane</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>`;

for (const profile of ['BASIC', 'COMFORT', 'EXTENDED'] as const) {
  test(`a ZUGFeRD 1.0 ${profile} CrossIndustryDocument is read like CII 2.x: header, totals, VAT rows and lines`, (t) => {
    t.is(detectXmlFormat(zugferd1(profile)), 'cii');
    const invoice = parseInvoiceXml(zugferd1(profile));
    t.is(invoice.invoice_number, 'RE-1013');
    t.is(invoice.document_type, 'invoice');
    t.is(invoice.issue_date, '2013-03-05');
    t.is(invoice.due_date, '2013-04-04');
    t.is(invoice.currency, 'EUR');
    t.is(invoice.supplier.name, 'Lieferant GmbH');
    t.is(invoice.supplier.vat_id, 'DE123456789');
    t.is(invoice.supplier.city, 'München');
    t.is(invoice.customer.name, 'Kunden AG Mitte');
    t.is(invoice.total_net, '473.00');
    t.is(invoice.total_vat, '56.87');
    t.is(invoice.total_gross, '529.87');
    t.is(invoice.amount_due, '529.87');
    t.deepEqual(invoice.vat_breakdown, [
      { rate: '19.00', base: '198.00', tax: '37.62' },
      { rate: '7.00', base: '275.00', tax: '19.25' },
    ]);
    t.deepEqual(
      invoice.lines.map((line) => [
        line.item_code,
        line.description,
        line.quantity,
        line.unit_price,
        line.vat_rate,
        line.line_net,
      ]),
      [
        ['TB100A4', 'Trennblätter A4', '20.0000', '9.9000', '19.00', '198.00'],
        ['ARNR2', 'Joghurt Banane', '50.0000', '5.5000', '7.00', '275.00'],
      ],
    );
  });
}

test('a PDF carrying ZUGFeRD-invoice.xml (1.0) is read from its XML, not its text', async (t) => {
  const pdf = await pdfFile({
    attachments: [{ name: 'ZUGFeRD-invoice.xml', content: Buffer.from(zugferd1('COMFORT')) }],
  });
  const outcome = await extractDocument(pdf, 'application/pdf', { mode: 'auto', templates: [] });
  if (outcome.kind !== 'extracted') return t.fail(outcome.reason);
  t.is(outcome.invoice.source.format, 'facturx');
  t.is(outcome.invoice.invoice_number, 'RE-1013');
  t.is(outcome.invoice.lines.length, 2);
});
