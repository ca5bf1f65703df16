import { LoaderError } from '../../errors.ts';
import type { NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import { readCii } from './cii.ts';
import { readIsdoc } from './isdoc.ts';
import { rootTag, type RootTag } from './rootTag.ts';
import { readUbl, type UblDocumentName } from './ubl.ts';
import { parseXml } from './xml.ts';
import { xmlInvoiceFormat, type XmlInvoiceFormat } from './xmlFormat.ts';
import { child } from './xmlNode.ts';
import { xmlText } from './xmlText.ts';
import { asCii2 } from './zugferd1.ts';

export { readIsdocx } from './isdocx.ts';
export type { XmlInvoiceFormat } from './xmlFormat.ts';

/**
 * A structured e-invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII incl. Factur-X and
 * ZUGFeRD, ISDOC 6) → the normalized invoice, with `source` naming the syntax and the XML path
 * of each header field. Throws LoaderError XML_MALFORMED, XML_UNSAFE, XML_FORBIDDEN_CHARACTER or
 * XML_NOT_INVOICE.
 */
export function parseInvoiceXml(xml: Buffer | string): NormalizedInvoice {
  const document = parseXml(xmlText(xml));
  const withOmitted = (invoice: NormalizedInvoice) => {
    for (const note of document.omitted) invoice.notes.push(note);
    return invoice;
  };
  const format = xmlInvoiceFormat(document.root, () => child(document.element, 'DocumentType') !== undefined);
  switch (format) {
    case 'ubl':
      return withOmitted(readUbl(document.element, document.root.localName as UblDocumentName));
    case 'cii':
      return withOmitted(
        readCii(document.root.localName === 'CrossIndustryDocument' ? asCii2(document.element) : document.element),
      );
    case 'isdoc':
      return withOmitted(readIsdoc(document.element));
    case null:
      throw new LoaderError(
        'XML_NOT_INVOICE',
        `The XML document is ${describe(document.root)}, not a UBL, CII or ISDOC invoice.`,
        {
          details: { root: document.root.localName, namespace: document.root.namespace },
        },
      );
  }
}

/**
 * Which syntax an XML document claims to be, from its document element alone; null for any
 * other XML. It does not check that the document is well-formed: parseInvoiceXml does.
 */
export function detectXmlFormat(xml: Buffer | string): XmlInvoiceFormat | null {
  let text: string;
  try {
    text = xmlText(xml);
  } catch {
    return null;
  }
  const root = rootTag(text);
  return root === null ? null : xmlInvoiceFormat(root, () => /<(?:[\w.-]+:)?DocumentType[\s>]/.test(text));
}

function describe({ localName, namespace }: RootTag): string {
  return namespace === null ? `a <${localName}>` : `a <${localName}> in namespace ${namespace}`;
}
