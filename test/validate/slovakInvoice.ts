import { emptyInvoice, type InvoiceLine, type NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';

/** The day the sample invoices are validated on, so the far-future check does not depend on the clock. */
export const TODAY = '2026-07-25';

function line(
  line_number: number,
  fields: Pick<InvoiceLine, 'quantity' | 'unit_price' | 'vat_rate' | 'line_net'> & Partial<InvoiceLine>,
): InvoiceLine {
  return {
    line_number,
    item_code: `P${line_number}`,
    ean: null,
    description: `Item ${line_number}`,
    unit: 'ks',
    discount_percent: null,
    unit_price_with_vat: null,
    line_gross: null,
    ...fields,
  };
}

/**
 * A complete, correct invoice from a Slovak supplier: three lines at 23% and 5% (one with a
 * discount), every identifier valid by its check rule, sums exact to the cent.
 *   23%: 2 × 39.900 = 79.80, 10 × 4.150 − 10% = 37.35 → base 117.15, VAT 26.9445 → 26.94
 *    5%: 3 × 12.49 = 37.47 → base 37.47, VAT 1.8735 → 1.87
 *   net 154.62 + VAT 28.81 = gross 183.43
 */
export function slovakInvoice(): NormalizedInvoice {
  const invoice = emptyInvoice('pdf-text');
  return {
    ...invoice,
    document_type: 'invoice',
    invoice_number: 'FV2026001234',
    issue_date: '2026-07-24',
    tax_point_date: '2026-07-21',
    due_date: '2026-08-23',
    currency: 'EUR',
    variable_symbol: '2026001234',
    supplier: {
      ...invoice.supplier,
      name: 'L&Š, s.r.o.',
      ico: '36555720',
      dic: '2020317068',
      ic_dph: 'SK2020317068',
      vat_id: 'SK2020317068',
      country: 'SK',
      iban: 'SK31 1200 0000 1987 4263 7541',
    },
    customer: {
      ...invoice.customer,
      name: 'Mágerstav s.r.o.',
      ico: '35757442',
      dic: '2021234567',
      ic_dph: 'SK2021234567',
      vat_id: 'SK2021234567',
      country: 'SK',
    },
    vat_breakdown: [
      { rate: '23', base: '117.15', tax: '26.94' },
      { rate: '5', base: '37.47', tax: '1.87' },
    ],
    total_net: '154.62',
    total_vat: '28.81',
    total_gross: '183.43',
    amount_due: '183.43',
    lines: [
      line(1, { quantity: '2', unit_price: '39.900', vat_rate: '23', line_net: '79.80' }),
      line(2, { quantity: '10', unit_price: '4.150', discount_percent: '10', vat_rate: '23', line_net: '37.35' }),
      line(3, { quantity: '3', unit_price: '12.49', vat_rate: '5', line_net: '37.47' }),
    ],
  };
}

/** The codes and fields of problems, the part of a problem tests assert exactly. */
export function codesAndFields(problems: Array<{ code: string; field: string }>): Array<[string, string]> {
  return problems.map(({ code, field }) => [code, field]);
}
