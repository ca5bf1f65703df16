import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LoaderError } from '../../errors.ts';
import { rootTag, type RootTag } from './rootTag.ts';
import { boundXml } from './xmlBounds.ts';
import type { XmlElement, XmlNode } from './xmlNode.ts';

export interface XmlDocument {
  root: RootTag;
  /** The document element's content. */
  element: XmlElement;
  /** Texts too long to parse, left out (xmlBounds.ts): a sentence each for the invoice's notes. */
  omitted: string[];
}

/**
 * Elements the three invoice schemas let repeat (UBL 2.1, CII D16B, ISDOC 6), by local name.
 * Parsed as arrays even when a document has one, so a list is a list in every document.
 */
// prettier-ignore
const REPEATABLE: ReadonlySet<string> = new Set([
  // UBL
  'Note', 'InvoiceLine', 'CreditNoteLine', 'TaxTotal', 'TaxSubtotal', 'AllowanceCharge', 'PaymentMeans',
  'PaymentTerms', 'PartyIdentification', 'PartyTaxScheme', 'PartyName', 'AdditionalItemProperty',
  'AdditionalDocumentReference', 'CommodityClassification', 'BillingReference', 'InvoicePeriod', 'Delivery',
  'Description', 'TaxExemptionReason', 'DespatchDocumentReference', 'ContractDocumentReference',
  // CII
  'IncludedNote', 'Content', 'IncludedSupplyChainTradeLineItem', 'ApplicableTradeTax',
  'SpecifiedTradeAllowanceCharge', 'SpecifiedTradeSettlementPaymentMeans', 'SpecifiedTaxRegistration',
  'SpecifiedTradePaymentTerms', 'TaxTotalAmount', 'GlobalID', 'AdditionalReferencedDocument',
  'AppliedTradeAllowanceCharge', 'ApplicableProductCharacteristic', 'DesignatedProductClassification',
  // ISDOC
  'TaxSubTotal', 'Payment', 'OrderReference', 'DeliveryNoteReference', 'OriginalDocumentReference',
  'ContractReference', 'AlternateBankAccount', 'Supplement', 'TaxedDeposit', 'NonTaxedDeposit', 'StoreBatch',
]);

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * With entity processing off the parser leaves even `&amp;` as written, so the five predefined
 * entities and character references are decoded here, in one pass ("&amp;lt;" stays "&lt;").
 * Any other reference stays as text: nothing is ever looked up or expanded. A reference to a
 * character XML does not allow (`&#0;`) is refused like the literal character.
 */
function decodeReferences(element: string, value: string): string {
  return value.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|apos|quot));/g, (reference, decimal, hex, name) => {
    if (name) return PREDEFINED_ENTITIES[name as string]!;
    const codePoint = Number.parseInt((decimal ?? hex) as string, decimal ? 10 : 16);
    if (!isXmlChar(codePoint)) throw forbiddenCharacter(codePoint, `the reference ${reference} in <${element}>`);
    return String.fromCodePoint(codePoint);
  });
}

/** XML 1.0's Char production: tab, LF, CR, and the rest of Unicode but C0 controls, surrogates, U+FFFE and U+FFFF. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

// With the u flag a lone surrogate is one code point of its own, so it matches too.
const FORBIDDEN_LITERAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Such a character is no text a supplier meant to send (PostgreSQL refuses NUL outright), and
 * the document will not read any better on a second try: one clear refusal, no retries.
 */
function forbiddenCharacter(codePoint: number, where: string): LoaderError {
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return new LoaderError(
    'XML_FORBIDDEN_CHARACTER',
    `The XML document contains the character U+${hex} (${where}), which XML does not allow in a document; ask the supplier for a corrected file.`,
    { details: { code_point: codePoint } },
  );
}

function refuseForbiddenLiterals(text: string): void {
  const found = FORBIDDEN_LITERAL.exec(text);
  if (!found) return;
  const before = text.slice(0, found.index).split('\n');
  const where = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
  throw forbiddenCharacter(found[0].codePointAt(0)!, where);
}

const parser = new XMLParser({
  // No entity expansion of any kind: no billion laughs, no external entities (file:// or http://).
  processEntities: false,
  htmlEntities: false,
  // UBL writes `cbc:ID`, others a default namespace: both read as `ID`.
  removeNSPrefix: true,
  // currencyID, unitCode, schemeID and format carry meaning.
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Values stay text: "39.900" must not become 39.9, nor an IČO "00006947" become 6947.
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  tagValueProcessor: (name, value) => decodeReferences(name, value),
  attributeValueProcessor: (name, value) => decodeReferences(`@${name}`, value),
  isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && REPEATABLE.has(name),
});

/**
 * The one way XML enters the extractors. Refuses entity declarations (XML_UNSAFE) before any
 * parsing, characters XML does not allow, written or referenced (XML_FORBIDDEN_CHARACTER), more
 * than a parser should be asked to hold (XML_TOO_LARGE, xmlBounds.ts), and anything not
 * well-formed (XML_MALFORMED, with the line and column).
 */
export function parseXml(document: string): XmlDocument {
  refuseEntityDeclarations(document);
  refuseForbiddenLiterals(document);
  const { text, omitted } = boundXml(document);
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    throw new LoaderError('XML_MALFORMED', `The XML document is malformed at ${where}: ${msg}`, {
      details: { line, column: col ?? null },
    });
  }
  let tree: Record<string, unknown>;
  try {
    tree = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof LoaderError) throw error;
    throw new LoaderError('XML_MALFORMED', `The XML document cannot be parsed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Same-named roots arrive as one array: count elements, not names.
  const roots = Object.keys(tree)
    .filter((name) => !name.startsWith('?') && !name.startsWith('#'))
    .flatMap((name): XmlNode[] => {
      const content = tree[name] as XmlNode | XmlNode[];
      return Array.isArray(content) ? content : [content];
    });
  const root = rootTag(text);
  if (roots.length !== 1 || root === null) {
    throw new LoaderError('XML_MALFORMED', `The XML document has ${roots.length} root elements where one is allowed.`);
  }
  const element = roots[0]!;
  return { root, element: typeof element === 'object' ? element : { '#text': element }, omitted };
}

function refuseEntityDeclarations(text: string): void {
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype && /<!ENTITY/i.test(text.slice(doctype.index))) {
    throw new LoaderError(
      'XML_UNSAFE',
      'The XML document declares entities in its DOCTYPE; such documents are refused because entities can read local files or expand without bound.',
    );
  }
}
