/**
 * Totals that follow from what the page prints: an invoice that shows only the VAT breakdown
 * and the gross still has a total net (the sum of the bases) and a total VAT (the sum of the
 * taxes); one that shows net and gross has a total VAT (their difference), one that shows net and VAT a
 * gross (their sum). Nothing is invented: a total is filled only when the breakdown is complete and agrees
 * with the printed gross, or no gross is printed.
 */
import type { NormalizedInvoice } from '../../invoice/normalizedInvoice.ts';
import {
  add,
  subtract,
  formatDecimal,
  isWithin,
  parseDecimal,
  sum,
  ONE_CENT,
  type ExactDecimal,
} from '../../validate/decimal.ts';

export function completeTotals(invoice: NormalizedInvoice): void {
  if (invoice.total_net !== null && invoice.total_vat !== null) {
    fromGross(invoice);
    return;
  }
  fromBreakdown(invoice);
  fromGross(invoice);
}

/**
 * Net and gross printed, VAT not (or VAT and gross, net not): the third is their difference.
 * Net and VAT printed, no gross: the gross is their sum.
 */
function fromGross(invoice: NormalizedInvoice): void {
  const gross = invoice.total_gross === null ? null : parseDecimal(invoice.total_gross);
  const net = invoice.total_net === null ? null : parseDecimal(invoice.total_net);
  const vat = invoice.total_vat === null ? null : parseDecimal(invoice.total_vat);
  if (gross === null) {
    if (net !== null && vat !== null && invoice.total_gross === null) {
      invoice.total_gross = formatDecimal(add(net, vat));
      invoice.source.fields.total_gross = 'total net plus total VAT';
    }
    return;
  }
  if (net !== null && vat === null) {
    invoice.total_vat = formatDecimal(subtract(gross, net));
    invoice.source.fields.total_vat = 'total gross less total net';
  } else if (vat !== null && net === null) {
    invoice.total_net = formatDecimal(subtract(gross, vat));
    invoice.source.fields.total_net = 'total gross less total VAT';
  }
}

function fromBreakdown(invoice: NormalizedInvoice): void {
  const rows = invoice.vat_breakdown.map((row) => ({ base: parseDecimal(row.base), tax: parseDecimal(row.tax) }));
  if (rows.length === 0 || rows.some((row) => row.base === null || row.tax === null)) return;
  const net = sum(rows.map((row) => row.base as ExactDecimal));
  const vat = sum(rows.map((row) => row.tax as ExactDecimal));
  const gross = invoice.total_gross === null ? null : parseDecimal(invoice.total_gross);
  if (gross !== null && !isWithin(add(net, vat), gross, ONE_CENT)) return;
  const sources = invoice.source.fields;
  if (invoice.total_net === null) {
    invoice.total_net = formatDecimal(net);
    sources.total_net = 'sum of the VAT breakdown bases';
  }
  if (invoice.total_vat === null) {
    invoice.total_vat = formatDecimal(vat);
    sources.total_vat = 'sum of the VAT breakdown taxes';
  }
}
