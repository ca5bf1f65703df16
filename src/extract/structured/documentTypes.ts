import type { DocumentType } from '../../invoice/normalizedInvoice.ts';

/** UNTDID 1001 credit-note codes: credit note, self-billed, factored, forwarder's, and so on. */
const CREDIT_NOTE_CODES: ReadonlySet<string> = new Set([
  '81',
  '83',
  '261',
  '262',
  '296',
  '308',
  '381',
  '396',
  '420',
  '458',
  '532',
]);
/** 386: prepayment invoice (zálohová faktúra). */
const ADVANCE_INVOICE_CODES: ReadonlySet<string> = new Set(['386']);

/**
 * The document type from a UBL InvoiceTypeCode / CreditNoteTypeCode or CII TypeCode (UNTDID 1001).
 * A UBL CreditNote document is a credit note whatever its code; everything else that is not a
 * credit note or a prepayment invoice (380, 384 corrected, 389 self-billed, 326 partial …) is an invoice.
 */
export function documentTypeFromUntdid(code: string | null, isCreditNoteDocument = false): DocumentType {
  if (isCreditNoteDocument || (code !== null && CREDIT_NOTE_CODES.has(code))) return 'credit_note';
  if (code !== null && ADVANCE_INVOICE_CODES.has(code)) return 'advance_invoice';
  return 'invoice';
}

/**
 * ISDOC DocumentType. 3 (vrubopis, a corrective document that adds to an invoice) and 7
 * (simplified tax document) are invoices for us; 4 is the proforma advance invoice without VAT,
 * 5 the tax document for a received payment, 6 the credit note to such a document.
 */
const ISDOC_DOCUMENT_TYPES: Readonly<Record<string, DocumentType>> = {
  '1': 'invoice',
  '2': 'credit_note',
  '3': 'invoice',
  '4': 'advance_invoice',
  '5': 'payment_tax_document',
  '6': 'credit_note',
  '7': 'invoice',
};

export function documentTypeFromIsdoc(code: string | null): DocumentType | null {
  return code === null ? null : (ISDOC_DOCUMENT_TYPES[code] ?? null);
}

/** The ISDOC code we write for a document type; an unknown type is written as an invoice (1). */
export function isdocDocumentType(type: DocumentType | null): string {
  switch (type) {
    case 'credit_note':
      return '2';
    case 'advance_invoice':
      return '4';
    case 'payment_tax_document':
      return '5';
    default:
      return '1';
  }
}
