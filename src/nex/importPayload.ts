import { LoaderError } from '../errors.ts';
import type { NormalizedInvoice, Party } from '../invoice/normalizedInvoice.ts';
import type { ImportParty, ImportPayload } from './gatewayTypes.ts';

/**
 * The normalized invoice as the gateway's import request. Values are copied, never guessed:
 * a field the contract requires and the invoice lacks refuses the payload
 * (NEX_PAYLOAD_INCOMPLETE), which sends the invoice to review instead of into NEX half-filled.
 */
export function importPayload(invoice: NormalizedInvoice, products: ReadonlyMap<number, string>): ImportPayload {
  const missing: string[] = [];
  const need = (value: string | null, field: string): string => {
    if (value === null || value === '') missing.push(field);
    return value ?? '';
  };
  const payload: ImportPayload = {
    invoice_number: need(invoice.invoice_number, 'invoice_number'),
    invoice_date: need(invoice.issue_date, 'issue_date'),
    due_date: invoice.due_date,
    tax_point_date: invoice.tax_point_date,
    variable_symbol: invoice.variable_symbol,
    constant_symbol: invoice.constant_symbol,
    note: invoice.order_reference ? `order ${invoice.order_reference}` : null,
    total_amount: need(invoice.total_gross, 'total_gross'),
    total_vat: need(invoice.total_vat, 'total_vat'),
    total_without_vat: need(invoice.total_net, 'total_net'),
    currency: need(invoice.currency, 'currency'),
    supplier: party(invoice.supplier, 'supplier', need),
    customer: party(invoice.customer, 'customer', need),
    items: invoice.lines.map((line) => {
      const at = `lines[${line.line_number}]`;
      const gs = products.get(line.line_number);
      return {
        line_number: line.line_number,
        item_code: line.item_code,
        item_name: need(line.description, `${at}.description`),
        quantity: need(line.quantity, `${at}.quantity`),
        unit: line.unit,
        unit_price: need(line.unit_price, `${at}.unit_price`),
        vat_rate: need(line.vat_rate, `${at}.vat_rate`),
        line_total: need(line.line_net, `${at}.line_net`),
        ean: line.ean,
        gs_code: gs === undefined ? null : Number(gs),
      };
    }),
  };
  if (invoice.lines.length === 0) missing.push('lines');
  if (missing.length) {
    throw new LoaderError(
      'NEX_PAYLOAD_INCOMPLETE',
      `The invoice cannot be posted to NEX: it has no ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}.`,
      { details: { missing } },
    );
  }
  return payload;
}

/** The key the gateway may use to recognise a repeated import: `<supplier IČO>:<invoice number>`. */
export function idempotencyKey(invoice: NormalizedInvoice): string {
  return `${invoice.supplier.ico}:${invoice.invoice_number}`;
}

function party(p: Party, role: string, need: (value: string | null, field: string) => string): ImportParty {
  return {
    name: need(p.name, `${role}.name`),
    ico: role === 'supplier' ? need(p.ico, `${role}.ico`) : (p.ico ?? ''),
    dic: p.dic,
    ic_dph: p.ic_dph,
    street: p.street,
    city: p.city,
    zip: p.zip,
    country: p.country,
  };
}
