import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type test from 'ava';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium for the console's browser tests, driven by playwright-core: one headless
 * browser per test file (a persistent context is how playwright takes a fresh --user-data-dir
 * of our own), closed and its profile removed after the file, also after a failure.
 * Screenshots go to test-artifacts/ (ignored by git).
 */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export function useBrowser(runner: typeof test): () => BrowserContext {
  const profile = mkdtempSync(join(tmpdir(), 'invoice-loader-chromium-'));
  let browser: BrowserContext | undefined;
  runner.before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  runner.after.always(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return () => browser!;
}

/**
 * Every console error and uncaught exception of the page, for the test to assert empty at its
 * end; `ignore` names console errors a test expects (a refusal the page reports as 409).
 */
export function pageProblems(page: Page, ignore: (text: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignore(message.text())) problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** Signs in through the console's form by keyboard, in Slovak (or English with `lang=en`). */
export async function signInByForm(
  page: Page,
  url: (path: string) => string,
  name: string,
  password: string,
  lang: 'sk' | 'en' = 'sk',
): Promise<void> {
  await page.goto(url(lang === 'en' ? '/?lang=en' : '/'));
  await page.getByLabel(lang === 'en' ? 'Name' : 'Meno').fill(name);
  await page.getByLabel(lang === 'en' ? 'Password' : 'Heslo').fill(password);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`h1:text("${lang === 'en' ? 'Overview' : 'Prehľad'}")`);
}
