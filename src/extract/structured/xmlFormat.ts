import type { RootTag } from './rootTag.ts';
import { ZUGFERD1_NAMESPACE } from './zugferd1.ts';

export type XmlInvoiceFormat = 'ubl' | 'cii' | 'isdoc';

const UBL_NAMESPACES: Readonly<Record<string, string>> = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
};
const CII_NAMESPACE = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';
/** ISDOC 6.0.x uses the 2013 namespace; 5.x documents and some 6.0.0 writers the older one. */
const ISDOC_NAMESPACES: ReadonlySet<string> = new Set([
  'http://isdoc.cz/namespace/2013',
  'http://isdoc.cz/namespace/invoice',
]);

/**
 * Which e-invoice syntax a document element belongs to, or null for anything else. The
 * namespace decides; an `Invoice` with no namespace at all (some Czech writers omit it) is
 * ISDOC when it has ISDOC's mandatory DocumentType, else taken for UBL.
 */
export function xmlInvoiceFormat(root: RootTag, hasDocumentType: () => boolean): XmlInvoiceFormat | null {
  const { localName, namespace } = root;
  if (namespace !== null && UBL_NAMESPACES[localName] === namespace) return 'ubl';
  if (localName === 'CrossIndustryInvoice' && namespace === CII_NAMESPACE) return 'cii';
  // ZUGFeRD 1.0: the same CII syntax under its 2013 names (zugferd1.ts renames them).
  if (localName === 'CrossIndustryDocument' && namespace === ZUGFERD1_NAMESPACE) return 'cii';
  if (localName === 'Invoice' && namespace !== null && ISDOC_NAMESPACES.has(namespace)) return 'isdoc';
  if (localName === 'Invoice' && namespace === null) return hasDocumentType() ? 'isdoc' : 'ubl';
  return null;
}
