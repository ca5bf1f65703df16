import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { addPerson } from '../../src/auth/people.ts';
import { PASSWORD } from '../auth/consoleApp.ts';
import { createTestDatabase } from '../support/database.ts';
import { disposeDaemon, startDaemonProcess, type DaemonProcess } from '../support/daemonProcess.ts';
import { unknownLayoutPdf, type LayoutSample } from '../support/unknownLayout.ts';
import { until } from '../support/until.ts';
import { ARTIFACTS, pageProblems, signInByForm, useBrowser } from '../support/browser.ts';

/**
 * The console's whole scenario against the real daemon (a child process on its own database, NEX
 * outbox mode) in Debian's chromium: a PDF of a layout no template knows arrives in the drop
 * folder and waits for review with its VAT, gross and one line missing; an operator corrects
 * it in the browser; another person approves it; the outbox cannot be written, so the posting
 * ends as a dead letter; once the folder is fixed, the operator replays it from the Dead letters
 * page and the outbox file appears. Any console error in the page fails the test.
 */
const browser = useBrowser(test);
let daemon: DaemonProcess | undefined;

test.after.always(async () => {
  if (daemon) await disposeDaemon(daemon);
});

const SAMPLE: LayoutSample = {
  number: 'RB-2026-0611',
  date: '2026-11-03',
  printedDate: '03.11.2026',
  net: '100.60',
  vat: '20.12',
  gross: '120.72',
  items: [
    { code: 'HK-100', name: 'Buchenholz Leiste 2m', qty: '12', unit: 'Stk', price: '4.50', net: '54.00' },
    { code: 'HK-220', name: 'Schleifpapier P120', qty: '3', unit: 'Pkg', price: '7.20', net: '21.60' },
    // A flat fee printed without quantity and unit: the generic reader does not take it for a line.
    { code: '', name: 'Transportkosten pauschal', qty: '', unit: '', price: '', net: '25.00' },
  ],
};

async function signInAs(page: Page, name: string): Promise<void> {
  await browser().clearCookies();
  await signInByForm(page, (path) => daemon!.url(path), name, PASSWORD);
}

test('an unknown-layout PDF from the drop folder: corrected in the browser, approved by another person, replayed from the dead letters into the outbox', async (t) => {
  t.timeout(300_000);
  const databaseUrl = await createTestDatabase(t);
  daemon = await startDaemonProcess(t, {
    databaseUrl,
    config: {
      // A file where the outbox folder should be: every write fails until the folder is fixed.
      nex: { outboxDir: './outbox', retry: { maxAttempts: 2, minMs: 100, maxMs: 200 }, pollMs: 200 },
      intake: { dropFolder: { pollMs: 200, stableMs: 300 } },
      monitor: { enabled: false },
    },
  });
  const outbox = join(daemon.dir, 'outbox');
  writeFileSync(outbox, 'not a folder');
  await daemon.waitForStatus('/health/ready', 200);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  t.teardown(() => pool.end());
  await addPerson(pool, { name: 'olga', role: 'operator', displayName: 'Oľga', password: PASSWORD });
  await addPerson(pool, { name: 'adam', role: 'approver', displayName: 'Adam', password: PASSWORD });

  writeFileSync(join(daemon.dir, 'inbox', 'beleg-0611.pdf'), await unknownLayoutPdf(SAMPLE));
  const id = await until(
    'the invoice waiting for review',
    async () => (await pool.query<{ id: string }>(`SELECT id FROM invoices WHERE status = 'needs_review'`)).rows[0]?.id,
    { timeoutMs: 60_000 },
  );

  const page = await browser().newPage();
  t.teardown(() => page.close());
  const problems = pageProblems(page);

  // The operator: the invoice from the queue, its PDF beside the data; the missing amounts and line typed in.
  await signInAs(page, 'olga');
  await page.goto(daemon.url('/queue'));
  await page.click(`a[href="/invoices/${id}"]`);
  await page.waitForSelector('#invoice-page[data-ready="true"]');
  await page.waitForSelector('canvas[data-rendered="true"]', { timeout: 60_000 });
  t.is(await page.locator('#lines-difference').textContent(), '25.00', 'the missing line is the difference');
  await page.getByLabel('DPH spolu').fill('20,12');
  await page.getByLabel('Spolu s DPH').fill('120,72');
  await page.getByRole('button', { name: 'Pridať položku' }).click();
  const row = (label: string) => page.getByLabel(`${label}, riadok 3`, { exact: true });
  await row('Popis').fill('Transportkosten pauschal');
  await row('Množstvo').fill('1');
  await row('Cena/MJ bez DPH').fill('25.00');
  await row('DPH %').fill('20');
  await row('Základ').fill('25.00');
  t.is(await page.locator('#lines-difference').textContent(), '0.00', 'the lines add up');
  await page.getByLabel('Dôvod opravy (nepovinný)').fill('podľa PDF');
  await page.getByRole('button', { name: 'Uložiť opravy' }).click();
  await page.waitForSelector('#status:text("validated")');
  t.regex((await page.locator('#outcome').textContent()) ?? '', /an approver decides|awaits approval/);
  await page.screenshot({ path: join(ARTIFACTS, 'scenario-corrected.png'), fullPage: true });
  t.is(await page.getByRole('button', { name: 'Schváliť' }).count(), 0, 'an operator cannot approve');

  // Another person approves: below the rules' limit, but amounts a person typed in wait for a person.
  await signInAs(page, 'adam');
  await page.goto(daemon.url(`/invoices/${id}`));
  await page.waitForSelector('#invoice-page[data-ready="true"]');
  await page.getByRole('button', { name: 'Schváliť' }).click();
  await page.waitForSelector('#status:text("approved")');

  // The outbox is a file, not a folder: the posting gives up into the dead letters.
  await until(
    'the dead letter',
    async () =>
      (await pool.query(`SELECT 1 FROM invoices WHERE id = $1 AND status = 'dead_letter'`, [id])).rowCount || undefined,
    { timeoutMs: 60_000 },
  );
  rmSync(outbox);
  mkdirSync(outbox);

  await signInAs(page, 'olga');
  await page.goto(daemon.url('/dead-letters'));
  await page.getByRole('button', { name: 'Odoslať znova RB-2026-0611', exact: true }).click();
  await page.waitForURL(/replayed=1/);
  const written = await until(
    'the outbox file',
    () => (existsSync(outbox) ? readdirSync(outbox).find((name) => name.endsWith('.isdoc')) : undefined),
    { timeoutMs: 60_000 },
  );
  t.regex(written, /RB-2026-0611/);
  const isdoc = readFileSync(join(outbox, written), 'utf8');
  t.regex(isdoc, /<ID>RB-2026-0611<\/ID>/);
  t.regex(isdoc, /Transportkosten pauschal/, 'the line the operator added is in what NEX imports');
  t.regex(isdoc, /120\.72/);
  const history = (
    await pool.query<{ actor: string; to_status: string }>(
      'SELECT actor, to_status FROM invoice_events WHERE invoice_id = $1 ORDER BY seq',
      [id],
    )
  ).rows;
  t.true(history.some((e) => e.actor === 'olga' && e.to_status === 'validated'));
  t.true(history.some((e) => e.actor === 'adam' && e.to_status === 'approved'));
  t.true(
    history.some((e) => e.actor === 'olga' && e.to_status === 'approved'),
    'the replay is hers',
  );
  t.true(history.some((e) => e.to_status === 'posted'));
  await page.screenshot({ path: join(ARTIFACTS, 'scenario-dead-letters.png'), fullPage: true });
  t.deepEqual(problems, []);
});
