/**
 * EN 16931 VAT categories that charge no VAT: exempt (E), zero rated (Z), reverse charge (AE),
 * intra-community supply (K), export (G) and not subject to VAT (O, which must not state a rate).
 */
const UNTAXED_CATEGORIES: ReadonlySet<string> = new Set(['E', 'Z', 'AE', 'K', 'G', 'O']);

/**
 * The rate as written; when a document leaves it out for a category that charges no VAT, the
 * rate is 0 (what the category says), never a guess for a taxed category.
 */
export function vatRateOf(percent: string | null, category: string | null): string | null {
  if (percent !== null) return percent;
  return category !== null && UNTAXED_CATEGORIES.has(category.toUpperCase()) ? '0' : null;
}
