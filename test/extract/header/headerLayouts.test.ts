import test from 'ava';
import { renderPdf, type PrintedText } from '../../support/pdfInvoices.ts';
import { readPdf, sameHeader } from '../tables/layoutChecks.ts';

/**
 * Header fields of layouts no template knows, each rule on a generated page: the date order a
 * document proves, a document number that is not a date, the date of a letter, totals labelled
 * with words between the label and the amount, and the gross that follows from net and VAT.
 */
const read = (texts: PrintedText[]) => renderPdf([texts]).then(readPdf);

test('slash dates are read month first when the document proves it (11/17), day first otherwise', async (t) => {
  const american = await read([
    { x: 40, y: 40, text: 'Invoice FA-2026-0008', size: 14, bold: true },
    { x: 40, y: 80, text: 'Invoice Date' },
    { x: 160, y: 80, text: '11/03/2026' },
    { x: 40, y: 94, text: 'Due Date' },
    { x: 160, y: 94, text: '12/03/2026' },
    { x: 40, y: 130, text: 'Payment' },
    { x: 160, y: 130, text: '11/17/2026' },
    { x: 300, y: 130, text: '623.00 €' },
    { x: 300, y: 160, text: 'Total' },
    { x: 400, y: 160, text: '1,623.00 €' },
  ]);
  sameHeader(t, american, { invoice_number: 'FA-2026-0008', issue_date: '2026-11-03', due_date: '2026-12-03' });

  const european = await read([
    { x: 40, y: 40, text: 'Invoice FA-2026-0009', size: 14, bold: true },
    { x: 40, y: 80, text: 'Invoice Date' },
    { x: 160, y: 80, text: '11/03/2026' },
    { x: 40, y: 94, text: 'Due Date' },
    { x: 160, y: 94, text: '25/03/2026' },
  ]);
  sameHeader(t, european, { issue_date: '2026-03-11', due_date: '2026-03-25' });
});

test('a French credit note: its number after "Avoir", never the date after "Date de facture"', async (t) => {
  const invoice = await read([
    { x: 40, y: 40, text: 'Au bon moulin SARL - 84340 Malaucène - France' },
    { x: 40, y: 52, text: 'TVA : FR11999999998 - SIRET : 99999999800010' },
    { x: 40, y: 80, text: 'Avoir AV-2026-0005', size: 14, bold: true },
    { x: 40, y: 120, text: 'Date de facture' },
    { x: 160, y: 120, text: '16/11/2026' },
    { x: 40, y: 134, text: "Date d'échéance" },
    { x: 160, y: 134, text: '16/12/2026' },
    { x: 40, y: 148, text: 'Facture liée' },
    { x: 160, y: 148, text: 'FA-2026-0010' },
  ]);
  sameHeader(t, invoice, {
    invoice_number: 'AV-2026-0005',
    issue_date: '2026-11-16',
    due_date: '2026-12-16',
    supplier_vat_id: 'FR11999999998',
  });
  t.is(invoice.document_type, 'credit_note');
});

/** A German insurer's premium invoice: a letter, with the date at the right of its subject line. */
function premiumLetter(totals: PrintedText[]): PrintedText[] {
  return [
    { x: 72, y: 40, text: 'MVM Musterhafter Versicherungsverein a.G.', size: 11 },
    { x: 72, y: 90, text: 'Herrn Max Mustermann' },
    { x: 72, y: 102, text: 'Musterstr. 11' },
    { x: 72, y: 114, text: '12346 Bad Musterhausen' },
    { x: 72, y: 170, text: 'Beitragsrechnung', bold: true },
    { x: 420, y: 170, text: '24. Januar 2026' },
    {
      x: 72,
      y: 200,
      text: 'zu Ihrer Versicherung wird der Beitrag für den Zeitraum vom 06.12.2025 bis zum 06.12.2026',
    },
    { x: 72, y: 212, text: 'am 06.12.2025 fällig.' },
    ...totals,
    { x: 72, y: 330, text: 'Wir würden dann zu der Fälligkeit 06.12.2025 den Beitrag abbuchen.' },
  ];
}

test('a premium letter: the subject line’s date, the due date not taken from a period, net and tax by their labels, the gross their sum', async (t) => {
  const invoice = await read(
    premiumLetter([
      { x: 72, y: 240, text: 'Privathaftpflicht' },
      { x: 360, y: 240, text: '50,00 €', align: 'right', width: 80 },
      { x: 72, y: 252, text: 'Gesamtbeitrag' },
      { x: 360, y: 252, text: '50,00 €', align: 'right', width: 80 },
      { x: 72, y: 264, text: 'Versicherungsteuer 19 %' },
      { x: 360, y: 264, text: '9,50 €', align: 'right', width: 80 },
    ]),
  );
  sameHeader(t, invoice, {
    issue_date: '2026-01-24',
    due_date: '2025-12-06',
    total_net: '50.00',
    total_vat: '9.50',
    total_gross: '59.50',
  });
  t.is(invoice.source.fields.total_gross, 'total net plus total VAT');
  t.is(invoice.source.fields.issue_date, 'the date at the right margin of the subject line');
});

test('a tax label followed by words that qualify it: the amount at the end of its row', async (t) => {
  const invoice = await read(
    premiumLetter([
      { x: 72, y: 252, text: 'Gesamtbeitrag' },
      { x: 360, y: 252, text: '1.000,00 €', align: 'right', width: 80 },
      { x: 72, y: 264, text: 'Versicherungsteuer zur Verbundenen Wohngebäudeversicherung' },
      { x: 360, y: 264, text: '163,40 €', align: 'right', width: 80 },
      { x: 72, y: 276, text: 'Rechnungsbetrag' },
      { x: 360, y: 276, text: '1.163,40 €', align: 'right', width: 80 },
    ]),
  );
  sameHeader(t, invoice, { total_net: '1000.00', total_vat: '163.40', total_gross: '1163.40' });
});

test('a direct debit announced in a sentence: its date is the due date', async (t) => {
  const german = await read([
    { x: 40, y: 40, text: 'Rechnungsnummer: 471102' },
    { x: 40, y: 52, text: 'Rechnungsdatum: 05.03.2026' },
    { x: 40, y: 100, text: 'Der Betrag in Höhe von EUR 1.529,87 wird am 20.03.2026 von Ihrem Konto mit IBAN' },
    { x: 40, y: 112, text: 'DE21860000000086001055 per SEPA-Lastschrift eingezogen.' },
  ]);
  sameHeader(t, german, { issue_date: '2026-03-05', due_date: '2026-03-20' });
  const english = await read([
    { x: 40, y: 40, text: 'Invoice number: 471103' },
    { x: 40, y: 100, text: 'The total of EUR 529.87 will be debited from your account on 21 March 2026.' },
  ]);
  sameHeader(t, english, { due_date: '2026-03-21' });
});

test('a labelled date at the right margin is that date, not the letter’s', async (t) => {
  const invoice = await read([
    { x: 40, y: 40, text: 'Rechnungsnummer: R-2026-79' },
    { x: 40, y: 100, text: 'Lieferung an Filiale Nord' },
    { x: 330, y: 100, text: 'Lieferdatum' },
    { x: 420, y: 100, text: '05.03.2026' },
  ]);
  t.is(invoice.issue_date, null);
});
