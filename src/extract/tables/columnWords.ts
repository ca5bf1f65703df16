/**
 * The words items tables print over their columns, in Slovak, Czech, Hungarian, English,
 * German and French, and what each may mean. A word that can mean two things ("DPH" is the rate or the
 * amount, "Betrag" the net or the gross) lists both: the arithmetic of the lines decides.
 */
export type ColumnRole =
  'quantity' | 'unit_price' | 'unit_price_gross' | 'discount' | 'vat_rate' | 'net' | 'vat' | 'gross';
export type TextColumn = 'position' | 'code' | 'ean' | 'description' | 'unit';

export interface ColumnMeaning {
  text: TextColumn | null;
  roles: ColumnRole[];
}

const rule = (pattern: string, text: TextColumn | null, ...roles: ColumnRole[]) => ({
  regex: new RegExp(`^(?:${pattern})$`, 'iu'),
  meaning: { text, roles },
});

// Most specific first: "Cena s DPH/MJ" must not be read as "Cena".
const RULES = [
  rule(
    'pos\\.?|#|č\\.|p\\. ?č\\.|poř\\.?|pč\\.?|nr\\.?|no\\.?|sor(?:szám)?\\.?|s\\.sz\\.|lfd\\.? nr\\.?|line',
    'position',
  ),
  rule('ean|gtin|ean kód|čiarový kód|čárový kód|vonalkód', 'ean'),
  rule(
    'kód|kod|code|item code|product code|art\\.?-?nr\\.?(?:-[\\p{L}]+)?|artikel-?nr\\.?|artikelnummer|sku|cikkszám|katalógové číslo|katalogové číslo|ref\\.?|réf\\.?|référence',
    'code',
  ),
  rule(
    'mj|m\\.j\\.|jednotka|unit|uom|einheit|me|m\\.e\\.|mértékegység|mee|meng\\.?-? ?einheit|mengeneinheit|unité',
    'unit',
  ),
  rule(
    '(?:jedn(?:otková|\\.)? ?)?cena (?:s|vč\\.|vrátane|včetně) dph(?: ?/ ?mj| za mj)?|cena s dph ?/ ?mj|unit price (?:incl\\.?|including|gross|with) (?:vat|tax)|gross (?:unit )?price|bruttopreis|einzelpreis brutto|preis brutto|bruttó egységár|prix unitaire ttc|p\\.u\\. ttc',
    null,
    'unit_price_gross',
  ),
  rule(
    'jedn(?:otková|\\.)? ?cena(?: bez dph)?(?: ?/ ?mj)?|cena ?/ ?mj|cena za mj|cena za jednotku|cena bez dph ?/ ?mj|j\\. ?cena|unit price(?: excl\\.? vat| net)?|price|unit cost|rate|einzelpreis(?: netto)?|preis ?/ ?einheit|preis ?/ ?me|preis je einheit|nettopreis|preis|e-?preis|ep|egységár|nettó egységár|egységár \\(nettó\\)|prix unitaire(?: ht)?|prix unit\\.?(?: ht)?|p\\.u\\.(?: ht)?|prix',
    null,
    'unit_price',
    'unit_price_gross',
  ),
  rule(
    'zľava(?: %)?|sleva(?: %)?|discount(?: %)?|disc\\.?(?: %)?|rabatt(?: %)?|rab\\.?|kedvezmény(?: %)?|% zľava|% sleva|rem\\.?|remise(?: %)?',
    null,
    'discount',
  ),
  rule(
    '% ?dph|dph ?%|sadzba(?: dph)?|sazba(?: dph)?|vat ?%|% ?vat|vat rate|tax rate|tax ?%|rate ?%|mwst\\.?-? ?%|ust\\.?-? ?%|%? ?mwst\\.?-?satz|steuersatz(?: \\[%\\])?|steuer ?%|áfa ?%|áfa kulcs|áfakulcs|taux(?: de)? tva|tva ?%|%',
    null,
    'vat_rate',
  ),
  rule(
    'množstvo|množství|mn\\.|mnoz\\.|počet|qty\\.?|quantity|menge|anzahl|mennyiség|menny\\.|ks|quantité|qté',
    null,
    'quantity',
  ),
  rule(
    '(?:celkom |celkem |spolu |suma |cena )?(?:s|vč\\.|vrátane|včetně) dph|cena celkom s dph|gross(?: amount| total)?|total (?:incl\\.?|including|gross)(?: vat| tax)?|amount incl\\.? vat|brutto(?:betrag)?|gesamt brutto|bruttó(?: érték| összeg)?|(?:prix|montant|total) ttc',
    null,
    'gross',
  ),
  rule(
    '(?:celkom |celkem |spolu |suma |cena |hodnota )?bez dph|základ(?: dph| dane| daně)?|net(?: amount| total| value)?|amount (?:excl\\.?|net)(?: vat)?|total (?:excl\\.?|net)(?: vat)?|nettobetrag|netto(?:betrag|wert|summe)?|entgelt|gesamt netto|nettóérték|nettó(?: érték| összeg)?|(?:prix|montant|total) ht',
    null,
    'net',
  ),
  rule(
    'dph|vat|tax|mwst\\.?|ust\\.?|áfa|steuer|steuerbetrag|vat amount|tax amount|výška dph|dph celkom|áfa összeg|tva|montant tva',
    null,
    'vat',
    'vat_rate',
  ),
  rule('amount', null, 'net', 'gross', 'quantity'),
  rule(
    'total|line total|betrag|gesamt(?:preis|betrag)?|summe|suma|celkom|celkem|spolu|cena|cena celkom|cena celkem|hodnota|összesen|összeg|érték|montant',
    null,
    'net',
    'gross',
  ),
  rule(
    'popis|názov|název|položka|označenie|označení|predmet|description|item|items|product|service|services|details|bezeichnung|beschreibung|artikelbezeichnung|artikelbeschreibung|artikel|produkt|designation|désignation|libellé|leistung|text|megnevezés|termék|tétel|dodávka|druh',
    'description',
  ),
];

const DESCRIPTION_FIRST =
  /^(?:popis|názov|název|položka|označenie|označení|description|item|product|service|bezeichnung|beschreibung|artikelbezeichnung|leistung|megnevezés|termék|tétel)\b/iu;

/** What a header cell names, or null when it is not a column word. */
export function columnMeaning(cell: string): ColumnMeaning | null {
  const words = cell.toLowerCase().replace(/\s+/g, ' ').replace(/:$/, '').trim();
  const found = RULES.find(({ regex }) => regex.test(words));
  if (found) return found.meaning;
  // "Názov položky", "Popis tovaru", "Item description": a description word first, more words after.
  return DESCRIPTION_FIRST.test(words) ? { text: 'description', roles: [] } : null;
}

/** Lines where the items table ends: the totals and the VAT summary under it. */
export const TABLE_END =
  /^(?:[\p{L}.()-]+ ){0,2}?(?:spolu|celkom|celkem|súčet|součet|medzisúčet|mezisoučet|rekapitulácia|rekapitulace|rozpis dph|základ dane|total|subtotal|sub-total|sum|summe|zwischensumme|gesamt|positionssumme|belegsummen|nettosumme|umsatzsteueraufschlüsselung|mwst\.?-?(?:übersicht|aufstellung)|összesen|részösszeg|áfa összesítő|vat summary|tax summary|net total|invoice total|steuerbasisbetrag|\p{L}*summe)\b/iu;

/** Page furniture that may sit between two parts of a table. */
export const PAGE_FURNITURE = /^(?:seite|page|strana|stránka|oldal)\s*\d+(?:\s*(?:\/|von|of|z|zo)\s*\d+)?$/iu;
