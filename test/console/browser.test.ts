import { join } from 'node:path';
import test from 'ava';
import { addPerson } from '../../src/auth/people.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { PASSWORD, startConsoleApp } from '../auth/consoleApp.ts';
import { ARTIFACTS, pageProblems, signInByForm, useBrowser } from '../support/browser.ts';
import { renderPdf } from '../support/pdfInvoices.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';

/**
 * The console in a real browser: Debian's chromium driven by playwright-core. Any console
 * error or uncaught exception in the page fails the test; screenshots of the overview and the
 * invoice page are kept in test-artifacts/ (ignored by git).
 */
const browser = useBrowser(test);

// One browser context holds the cookies of every test's server (a cookie does not care for the
// port), so the tests take turns and each starts signed out.
test.beforeEach(async () => {
  await browser().clearCookies();
});

test.serial(
  'sign in, see the overview, open an invoice with its PDF rendered by pdf.js; no console errors',
  async (t) => {
    t.timeout(180_000);
    const app = await startConsoleApp(t);
    const xml = await stageInvoice(app.pool, numberedInvoice(1), 'needs_review');
    const pdf = await renderPdf([
      [
        { x: 50, y: 50, text: 'FAKTÚRA č. FV-2026-77', size: 18, bold: true },
        { x: 50, y: 90, text: 'Dodávateľ: Príklad s.r.o., IČO 12345678' },
        { x: 50, y: 110, text: 'Spolu s DPH: 1 234,50 EUR' },
      ],
    ]);
    const scanned = (
      await receiveDocument(
        app.pool,
        { bytes: pdf, filename: 'scan.pdf', channel: 'import', mediaType: 'application/pdf' },
        'test',
      )
    ).invoiceId;

    const page = await browser().newPage();
    t.teardown(() => page.close());
    const problems = pageProblems(page);

    await page.goto(app.url('/'));
    t.is(await page.locator('h1').textContent(), 'Prihlásenie', 'Slovak by default');
    await page.getByLabel('Meno').fill('olga');
    await page.getByLabel('Heslo').fill('wrong password!');
    await page.getByRole('button', { name: 'Prihlásiť sa' }).click();
    t.is(await page.getByRole('alert').textContent(), 'Nesprávne meno alebo heslo.');
    await page.getByLabel('Meno').fill('olga');
    await page.getByLabel('Heslo').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:text("Prehľad")');
    t.regex((await page.locator('header').textContent()) ?? '', /OLGA \(rola operator\)/);
    t.true(await page.locator('a[href="/queue?status=needs_review"]').isVisible());
    await page.screenshot({ path: join(ARTIFACTS, 'console-overview.png'), fullPage: true });

    await page.click(`a[href="/invoices/${xml}"]`);
    await page.waitForSelector('h1:text("Faktúra FV2026-00001")');
    t.regex((await page.locator('pre').textContent()) ?? '', /<Invoice|Invoice/);

    await page.goto(app.url(`/invoices/${scanned}?lang=en`));
    await page.waitForSelector('canvas[data-rendered="true"]', { timeout: 60_000 });
    t.is(await page.locator('h2').first().textContent(), 'Original document', 'the English switch');
    await page.screenshot({ path: join(ARTIFACTS, 'console-invoice.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('h1:text("Sign in")');
    t.deepEqual(problems, []);
  },
);

test.serial(
  'an operator corrects the total and adds the missing line on the invoice page; saved, it becomes validated',
  async (t) => {
    t.timeout(180_000);
    const app = await startConsoleApp(t);
    const complete = numberedInvoice(2);
    // The extraction missed the third line and misread the gross.
    const id = await stageInvoice(
      app.pool,
      { ...complete, lines: complete.lines.slice(0, 2), total_gross: '183.34' },
      'needs_review',
    );
    await app.pool.query(`UPDATE invoices SET validation_status = 'invalid', validation_problems = $2 WHERE id = $1`, [
      id,
      JSON.stringify([
        { code: 'TOTAL_GROSS_MISMATCH', field: 'total_gross', message: 'gross does not add up', severity: 'error' },
      ]),
    ]);

    const page = await browser().newPage();
    t.teardown(() => page.close());
    const problems = pageProblems(page);

    await signInByForm(page, app.url, 'olga', PASSWORD);
    await page.goto(app.url(`/invoices/${id}`));
    await page.waitForSelector('#invoice-page[data-ready="true"]');
    t.is(
      await page.locator('#p-total_gross').textContent(),
      'gross does not add up',
      'the problem is shown at its field',
    );
    t.is(await page.locator('#lines-difference').textContent(), '37.47', 'the missing line is the difference');
    t.is(await page.getByRole('button', { name: 'Schváliť' }).count(), 0, 'an operator has no Approve button');

    await page.getByLabel('Spolu s DPH').fill('183,43');
    await page.getByRole('button', { name: 'Pridať položku' }).click();
    const row = (label: string) => page.getByLabel(`${label}, riadok 3`, { exact: true });
    await row('Popis').fill('Príručka: Zateplenie & izolácie');
    await row('Množstvo').fill('3');
    await row('Cena/MJ bez DPH').fill('12.49');
    await row('DPH %').fill('5');
    await row('Základ').fill('37.47');
    t.is(await page.locator('#lines-difference').textContent(), '0.00', 'live sums');
    await page.getByLabel('Dôvod opravy (nepovinný)').fill('chýbala položka');
    await page.getByRole('button', { name: 'Uložiť opravy' }).click();
    await page.waitForSelector('#status:text("validated")');
    t.regex((await page.locator('#outcome').textContent()) ?? '', /corrected by olga; it is valid and awaits approval/);
    t.regex((await page.locator('.timeline').textContent()) ?? '', /183\.34\s*→\s*183\.43/);
    await page.screenshot({ path: join(ARTIFACTS, 'console-invoice-corrected.png'), fullPage: true });

    const row3 = (
      await app.pool.query(
        'SELECT description, line_net::text FROM invoice_lines WHERE invoice_id = $1 AND line_number = 3',
        [id],
      )
    ).rows[0];
    t.deepEqual(row3, { description: 'Príručka: Zateplenie & izolácie', line_net: '37.47' });
    t.deepEqual(problems, []);
  },
);

/** The sample invoice with 400 buckets of the first item: gross 19 716.08, above approval.doubleApprovalAbove, every sum right. */
function invoiceAboveTenThousand(): NormalizedInvoice {
  const invoice = numberedInvoice(3);
  invoice.lines[0] = { ...invoice.lines[0]!, quantity: '400', line_net: '15960.00' };
  return {
    ...invoice,
    vat_breakdown: [
      { rate: '23', base: '15997.35', tax: '3679.39' },
      { rate: '5', base: '37.47', tax: '1.87' },
    ],
    total_net: '16034.82',
    total_vat: '3681.26',
    total_gross: '19716.08',
    amount_due: '19716.08',
  };
}

test.serial(
  'above 10 000 two different approvers approve on the page; the corrector and a second click of the same person are refused',
  async (t) => {
    t.timeout(240_000);
    const app = await startConsoleApp(t);
    await addPerson(app.pool, { name: 'petra', role: 'approver', displayName: 'Petra', password: PASSWORD });
    const id = await stageInvoice(app.pool, { ...invoiceAboveTenThousand(), total_gross: '19716.80' }, 'validated');
    const corrected = await fetch(app.url(`/api/invoices/${id}`), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${app.tokens.approver}`, 'content-type': 'application/json' },
      body: JSON.stringify({ header: { total_gross: '19716.08' } }),
    });
    t.is(corrected.status, 200, 'anna (approver) corrects the gross');

    const page = await browser().newPage();
    t.teardown(() => page.close());
    // The refused approvals answer 409: the browser reports the response, the page shows the sentence.
    const problems = pageProblems(page, (text) => text.includes('409'));
    const approveAs = async (name: string) => {
      await page.goto(app.url('/'));
      if (await page.getByRole('button', { name: 'Odhlásiť sa' }).count()) {
        await page.getByRole('button', { name: 'Odhlásiť sa' }).click();
        await page.waitForSelector('h1:text("Prihlásenie")');
      }
      await page.getByLabel('Meno').fill(name);
      await page.getByLabel('Heslo').fill(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForSelector('h1:text("Prehľad")');
      await page.goto(app.url(`/invoices/${id}`));
      await page.waitForSelector('#invoice-page[data-ready="true"]');
      await page.getByRole('button', { name: 'Schváliť' }).click();
      // After a refusal the sentence replaces "Pracujem…"; after a success the page is loaded again and shows it.
      await page.waitForSelector('#outcome:not(:empty):not(:text("Pracujem"))');
      return (await page.locator('#outcome').textContent()) ?? '';
    };

    t.regex(await approveAs('anna'), /anna corrected total_gross of invoice .* and so cannot approve it/);
    t.is(await page.getByRole('alert').count(), 1, 'the refusal is announced');
    t.regex(await approveAs('adam'), /approval 1 of 2 recorded for adam; it needs one more person/);
    await page.getByRole('button', { name: 'Schváliť' }).click();
    await page.waitForSelector('#outcome:text("already approved")');
    t.regex(await approveAs('petra'), /approved by adam and petra/);
    t.is(await page.locator('#status').textContent(), 'approved');
    t.deepEqual(problems, []);
  },
);

test.serial(
  'an operator picks a line’s NEX product among the offered ones with the keyboard; the pick is stored',
  async (t) => {
    t.timeout(180_000);
    const app = await startConsoleApp(t);
    const id = await stageInvoice(app.pool, numberedInvoice(4), 'validated');
    await app.pool.query(
      `UPDATE invoice_lines SET match_alternatives = $2::jsonb WHERE invoice_id = $1 AND line_number = 2`,
      [
        id,
        JSON.stringify([
          { gs_code: '2001', name: 'Farba biela 10 l', confidence: 0.62 },
          { gs_code: '2002', name: 'Farba biela 5 l', confidence: 0.48 },
        ]),
      ],
    );

    const page = await browser().newPage();
    t.teardown(() => page.close());
    const problems = pageProblems(page);
    await signInByForm(page, app.url, 'olga', PASSWORD);
    await page.goto(app.url(`/invoices/${id}`));
    await page.waitForSelector('#invoice-page[data-ready="true"]');

    const choice = page.getByLabel('Produkt NEX, riadok 2', { exact: true });
    await choice.focus();
    await choice.selectOption('2002');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#outcome:text("NEX product 2002")');
    t.regex((await page.locator('.timeline').textContent()) ?? '', /Produkt NEX, riadok 2:\s*\(prázdne\)\s*→\s*2002/);
    t.regex((await page.locator('td.match').nth(1).textContent()) ?? '', /2002 Farba biela 5 l/);
    const line = (
      await app.pool.query(
        'SELECT nex_product_id, matched_by FROM invoice_lines WHERE invoice_id = $1 AND line_number = 2',
        [id],
      )
    ).rows[0];
    t.deepEqual(line, { nex_product_id: '2002', matched_by: 'manual' });
    t.deepEqual(problems, []);
  },
);
