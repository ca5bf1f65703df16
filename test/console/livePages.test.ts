import { join } from 'node:path';
import test from 'ava';
import type { InspectionEvent } from 'xstate';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { createInspectionBus } from '../../src/runtime/inspectionBus.ts';
import { PASSWORD, startConsoleApp } from '../auth/consoleApp.ts';
import { pageProblems, signInByForm, useBrowser, ARTIFACTS } from '../support/browser.ts';
import { numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/**
 * The work queue, dead letters and actors pages in Debian's chromium: the queue's form by
 * keyboard, a replay by its button, and the actors table redrawn from the inspector's stream.
 * Any console error or uncaught exception in the page fails the test.
 */
const browser = useBrowser(test);

function worker(id: string, state: string, restarts = 0): ActorNode {
  return { id, kind: 'worker', state, status: 'running', restarts, since: null, lastError: null, children: [] };
}

test('queue by keyboard, replay a dead letter by its button, actors redrawn live; no console errors', async (t) => {
  t.timeout(120_000);
  const tree: ActorNode = { ...worker('root', 'running'), kind: 'supervisor', children: [worker('heartbeat', 'idle')] };
  const inspection = createInspectionBus();
  const app = await startConsoleApp(t, {}, {}, { tree: () => tree, inspection });
  const other = { ...numberedInvoice(1).supplier, name: 'Drevo s.r.o.', ico: '47258411' };
  await stageInvoice(app.pool, numberedInvoice(1, { supplier: other }), 'needs_review');
  await stageInvoice(app.pool, numberedInvoice(2), 'validated');
  const dead = await stageInvoice(app.pool, numberedInvoice(3), 'dead_letter');

  const page = await browser().newPage();
  t.teardown(() => page.close());
  const problems = pageProblems(page);
  await signInByForm(page, app.url, 'olga', PASSWORD, 'en');

  await page.goto(app.url('/queue'));
  await page.getByLabel('Search (number, supplier, IČO, VAT id)').fill('47258411');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=47258411/);
  t.deepEqual(await page.locator('table.invoices tbody a').allTextContents(), ['FV2026-00001']);

  await page.goto(app.url('/dead-letters'));
  await page.getByRole('button', { name: 'Replay FV2026-00003' }).click();
  await page.waitForURL(/replayed=1/);
  t.regex((await page.getByRole('status').last().textContent()) ?? '', /Queued for posting again: 1/);
  t.is((await statusOf(app.pool, dead)).status, 'approved');

  await page.goto(app.url('/actors'));
  await page.waitForSelector('#actors[data-live="true"]');
  t.deepEqual(await page.locator('#actors tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.actor)), [
    'root',
    'heartbeat',
  ]);
  tree.children = [worker('heartbeat', 'beating', 1), worker('nexWriter', 'idle')];
  inspection.observe({ type: '@xstate.actor', actorRef: { id: 'nexWriter' } } as unknown as InspectionEvent);
  await page.waitForSelector('#actors tr[data-actor="nexWriter"]');
  t.deepEqual(await page.locator('#actors tr[data-actor="heartbeat"] td').allTextContents(), [
    'worker',
    'beating',
    'running',
    '1',
    '',
    '',
    '',
  ]);
  await page.screenshot({ path: join(ARTIFACTS, 'console-actors.png'), fullPage: true });
  t.deepEqual(problems, []);
});
