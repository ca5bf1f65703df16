import PDFDocument from 'pdfkit';

/**
 * PDFs for the PDF container tests, generated with pdfkit so that a fresh clone needs no
 * sample files: plain, hybrid (Factur-X, ISDOC.PDF), encrypted and deliberately broken.
 */

/** A minimal EN 16931 invoice in UN/CEFACT CII syntax, as Factur-X embeds it. */
export const CII_INVOICE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>FV-2026-0042</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20260724</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Dodávateľ s.r.o. – Žilina</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Odberateľ a.s.</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">23.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>123.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>123.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;

/** A minimal ISDOC 6 invoice, as an ISDOC.PDF embeds it. */
export const ISDOC_INVOICE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="http://isdoc.cz/namespace/2013" version="6.0.2">
  <DocumentType>1</DocumentType>
  <ID>2026-0042</ID>
  <UUID>4E2B5C1A-8D3F-4A6B-9C0D-1E2F3A4B5C6D</UUID>
  <IssueDate>2026-07-24</IssueDate>
  <VATApplicable>true</VATApplicable>
  <LocalCurrencyCode>CZK</LocalCurrencyCode>
  <LegalMonetaryTotal>
    <TaxExclusiveAmount>1000.00</TaxExclusiveAmount>
    <TaxInclusiveAmount>1210.00</TaxInclusiveAmount>
    <PayableAmount>1210.00</PayableAmount>
  </LegalMonetaryTotal>
</Invoice>
`;

/** A minimal UBL 2.1 invoice, for the "any XML that looks like an invoice" fallback. */
export const UBL_INVOICE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by an accounting package that names its files as it pleases -->
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>UBL-0042</cbc:ID>
  <cbc:IssueDate>2026-07-24</cbc:IssueDate>
</Invoice>
`;

export type Attachment = {
  name: string;
  content: Buffer;
  /** Attach through a file attachment annotation on page 1 instead of the EmbeddedFiles name tree. */
  asAnnotation?: boolean;
};

type PdfOptions = { attachments?: Attachment[]; userPassword?: string };

/** pdfkit supports these, @types/pdfkit 0.17 does not declare them. */
type AttachmentOptions = PDFKit.Mixins.PDFAttachmentOptions & { relationship?: string };
type WithFileAnnotation = {
  fileAnnotation(x: number, y: number, w: number, h: number, file: AttachmentOptions & { src: Buffer }): unknown;
};

/** A one-page PDF with a line of text, the attachments given, optionally password-protected. */
export function pdfFile({ attachments = [], userPassword }: PdfOptions = {}): Promise<Buffer> {
  const document = new PDFDocument({
    // A fixed date keeps the bytes reproducible from run to run.
    info: { CreationDate: new Date(Date.UTC(2026, 6, 24)), Title: 'Test invoice' },
    ...(userPassword === undefined ? {} : { userPassword, ownerPassword: `${userPassword}-owner` }),
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });

  document.fontSize(14).text('Faktúra FV-2026-0042 – spolu na úhradu 123,00 EUR');
  for (const { name, content, asAnnotation } of attachments) {
    // Factur-X and ISDOC.PDF both declare the XML the alternative form of the printed invoice.
    const options: AttachmentOptions = { name, type: 'text/xml', relationship: 'Alternative' };
    if (asAnnotation)
      (document as unknown as WithFileAnnotation).fileAnnotation(72, 200, 20, 20, { src: content, ...options });
    else document.file(content, options);
  }
  document.end();
  return finished;
}

export const plainPdf = (): Promise<Buffer> => pdfFile();

export const facturXPdf = (xml = CII_INVOICE_XML): Promise<Buffer> =>
  pdfFile({ attachments: [{ name: 'factur-x.xml', content: Buffer.from(xml) }] });

export const isdocPdf = (isdoc = ISDOC_INVOICE_XML): Promise<Buffer> =>
  pdfFile({ attachments: [{ name: 'invoice.isdoc', content: Buffer.from(isdoc) }] });

export const encryptedPdf = (): Promise<Buffer> => pdfFile({ userPassword: 'secret' });

/** The first half of a good PDF: what an interrupted download or a full disk leaves behind. */
export const truncated = (pdf: Buffer): Buffer => pdf.subarray(0, Math.floor(pdf.length / 2));

/** What a web server sends instead of the invoice, saved under the invoice's name. */
export const HTML_ERROR_PAGE = Buffer.from(
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n',
);
