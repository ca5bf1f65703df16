import test from 'ava';
import { putOwnCompanyLast } from '../../../src/extract/header/ownCompany.ts';
import { shippedTemplateDir } from '../../../src/extract/shippedTemplates.ts';
import { extractPdfText } from '../../../src/extract/pdf/pdfText.ts';
import { extractWithTemplates, loadTemplates } from '../../../src/extract/templates/index.ts';
import { emptyInvoice } from '../../../src/invoice/normalizedInvoice.ts';
import { renderPdf } from '../../support/pdfInvoices.ts';

/**
 * The issuer is the party that is not us (config `customer`): our name at the top of the page
 * is the address window, not the letterhead; our Czech DIČ (CZ + IČO) is not the supplier's; and
 * parties read the wrong way round change places.
 */
const own = { name: 'Horský obchod s.r.o.', ico: '12345678' };
const templates = loadTemplates([shippedTemplateDir]);

async function czechInvoice(): Promise<Buffer> {
  return renderPdf([
    [
      // A window envelope: the recipient (us) printed first, at the top.
      { x: 40, y: 40, text: 'Horský Obchod, s. r. o.', size: 11 },
      { x: 40, y: 52, text: 'DIČ: CZ12345678' },
      { x: 40, y: 80, text: 'Stavebniny Kámen s.r.o.', size: 14, bold: true },
      { x: 40, y: 96, text: 'DIČ: CZ87654321' },
      { x: 380, y: 80, text: 'Faktura č. 2026-0415', size: 12, bold: true },
      { x: 380, y: 96, text: 'Datum vystavení: 04.11.2026' },
      { x: 380, y: 108, text: 'Celkem s DPH:   1 210,00 Kč' },
    ],
  ]);
}

test('our name at the top and our DIČ are not the supplier’s: the next company and VAT id are', async (t) => {
  const text = await extractPdfText(await czechInvoice());
  const withoutOwn = extractWithTemplates(text, templates).invoice;
  // Without knowing who we are, the first company on the page reads as the issuer.
  t.is(withoutOwn.supplier.name, 'Horský Obchod, s. r. o.');
  t.is(withoutOwn.supplier.vat_id, 'CZ12345678');

  const invoice = extractWithTemplates(text, templates, own).invoice;
  t.is(invoice.supplier.name, 'Stavebniny Kámen s.r.o.');
  t.is(invoice.supplier.vat_id, 'CZ87654321');
  t.is(invoice.invoice_number, '2026-0415');
});

test('parties read the wrong way round change places, with the sources that found them', (t) => {
  const invoice = emptyInvoice('pdf-text');
  Object.assign(invoice.supplier, { name: 'Horsky obchod s.r.o.', ico: '12345678', city: 'Poprad' });
  Object.assign(invoice.customer, { name: 'Stavebniny Kámen s.r.o.', ico: '87654321', vat_id: 'SK2087654321' });
  invoice.source.fields['supplier.ico'] = 'regex: IČO (in supplier)';
  invoice.source.fields['customer.vat_id'] = 'regex: IČ DPH (in customer)';
  putOwnCompanyLast(invoice, own);
  t.like(invoice.supplier, { name: 'Stavebniny Kámen s.r.o.', ico: '87654321', vat_id: 'SK2087654321', city: null });
  t.like(invoice.customer, { name: 'Horsky obchod s.r.o.', ico: '12345678', vat_id: null, city: 'Poprad' });
  t.is(invoice.source.fields['customer.ico'], 'regex: IČO (in supplier) (parties swapped: ours is the customer)');
  t.is(invoice.source.fields['supplier.vat_id'], 'regex: IČ DPH (in customer) (parties swapped: ours is the customer)');
  t.false('supplier.ico' in invoice.source.fields);

  // Already the right way round: nothing moves.
  putOwnCompanyLast(invoice, own);
  t.is(invoice.supplier.name, 'Stavebniny Kámen s.r.o.');
});

test('our configured IČ DPH alone tells us apart, whatever name the page prints for us', (t) => {
  const invoice = emptyInvoice('pdf-text');
  Object.assign(invoice.supplier, { name: 'MGS Košice', vat_id: 'SK 2020123456' });
  Object.assign(invoice.customer, { name: 'Drevona a.s.', vat_id: 'SK2020999999' });
  const ours = { name: 'Mágerstav s.r.o.', ico: null, vat_id: 'SK2020123456' };
  putOwnCompanyLast(invoice, ours);
  t.is(invoice.supplier.name, 'Drevona a.s.');
  t.is(invoice.customer.name, 'MGS Košice');
  // Without the VAT id configured, the trade name alone does not reveal us: nothing moves.
  const other = emptyInvoice('pdf-text');
  Object.assign(other.supplier, { name: 'MGS Košice', vat_id: 'SK2020123456' });
  putOwnCompanyLast(other, { name: 'Mágerstav s.r.o.', ico: null });
  t.is(other.supplier.name, 'MGS Košice');
});
