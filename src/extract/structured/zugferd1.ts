/**
 * ZUGFeRD 1.0 (`CrossIndustryDocument`, BASIC, COMFORT and EXTENDED), read like CII 2.x: the
 * 1.0 schema is the CII of 2013 with other element names for the same business terms, so its
 * tree is renamed to the D16B names readCii knows and read by the same code.
 */
import type { XmlElement, XmlNode } from './xmlNode.ts';

export const ZUGFERD1_NAMESPACE = 'urn:ferd:CrossIndustryDocument:invoice:1p0';

const COMMON_NAMES = {
  SpecifiedSupplyChainTradeTransaction: 'SupplyChainTradeTransaction',
  ApplicablePercent: 'RateApplicablePercent',
};
const HEADER_NAMES: Readonly<Record<string, string>> = {
  ...COMMON_NAMES,
  HeaderExchangedDocument: 'ExchangedDocument',
  ApplicableSupplyChainTradeAgreement: 'ApplicableHeaderTradeAgreement',
  ApplicableSupplyChainTradeDelivery: 'ApplicableHeaderTradeDelivery',
  ApplicableSupplyChainTradeSettlement: 'ApplicableHeaderTradeSettlement',
  SpecifiedTradeSettlementMonetarySummation: 'SpecifiedTradeSettlementHeaderMonetarySummation',
};
const LINE_NAMES: Readonly<Record<string, string>> = {
  ...COMMON_NAMES,
  SpecifiedSupplyChainTradeAgreement: 'SpecifiedLineTradeAgreement',
  SpecifiedSupplyChainTradeDelivery: 'SpecifiedLineTradeDelivery',
  SpecifiedSupplyChainTradeSettlement: 'SpecifiedLineTradeSettlement',
  SpecifiedTradeSettlementMonetarySummation: 'SpecifiedTradeSettlementLineMonetarySummation',
};

/** The 1.0 document tree with its elements renamed to CII D16B; inside line items the line names apply. */
export function asCii2(document: XmlElement): XmlElement {
  return renamed(document, HEADER_NAMES) as XmlElement;
}

function renamed(node: XmlNode, names: Readonly<Record<string, string>>): XmlNode {
  if (typeof node === 'string') return node;
  const result: XmlElement = {};
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    const inner = name === 'IncludedSupplyChainTradeLineItem' ? LINE_NAMES : names;
    const target = name.startsWith('@') || name.startsWith('#') ? name : (names[name] ?? name);
    result[target] = Array.isArray(value) ? value.map((item) => renamed(item, inner)) : renamed(value, inner);
  }
  return result;
}
