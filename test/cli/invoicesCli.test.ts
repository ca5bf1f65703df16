import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ImportResult } from '../../src/cli/commands/import.ts';
import type { InvoiceDetail, InvoiceSummary } from '../../src/db/invoiceQueries.ts';
import { INVOICE_STATUSES } from '../../src/invoice/status.ts';
import { createTestDatabase } from '../support/database.ts';
import { cleanEnv, tempDir } from '../support/tempDir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as an operator would; asynchronous, so tests in this file can overlap. */
function cli(args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['bin/invoice-loader.js', ...args],
      { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 },
      (_error, stdout, stderr) => done({ status: child.exitCode, stdout, stderr }),
    );
  });
}

/** A minimal PDF; the comment makes each one a different document. */
function pdf(comment: string): string {
  return `%PDF-1.4\n% ${comment}\n1 0 obj\n<<>>\nendobj\n%%EOF\n`;
}

interface Fixture {
  url: string;
  config: string;
  folder: string;
}

/** A fresh database, a config file pointing at it, and a folder of files to import. */
async function fixture(t: ExecutionContext): Promise<Fixture> {
  const url = await createTestDatabase(t);
  const dir = tempDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `database:\n  url: ${url}\n`);
  const folder = join(dir, 'invoices');
  mkdirSync(join(folder, 'march'), { recursive: true });
  writeFileSync(join(folder, 'invoice-1.pdf'), pdf('first'));
  writeFileSync(join(folder, 'march', 'invoice-2.pdf'), pdf('second'));
  writeFileSync(join(folder, 'notes.txt'), 'not an invoice\n');
  copyFileSync(join(folder, 'invoice-1.pdf'), join(folder, 'resent-invoice-1.pdf'));
  return { url, config, folder };
}

/** Imports the fixture folder once and returns the per-file results by file name. */
async function importFolder(t: ExecutionContext, f: Fixture): Promise<Map<string, ImportResult>> {
  const run = await cli(['import', f.folder, '--config', f.config, '--json']);
  t.is(run.stderr, '', 'no progress bar or message on a non-terminal stderr');
  t.is(run.status, 0, run.stdout);
  const results = JSON.parse(run.stdout) as ImportResult[];
  return new Map(results.map((r) => [r.file.slice(f.folder.length + 1), r]));
}

async function countInvoices(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM invoices')).rows[0].n);
  } finally {
    await client.end();
  }
}

test('import stores new files, links a copy as duplicate, skips other files, and recognizes a re-import', async (t) => {
  const f = await fixture(t);
  const first = await importFolder(t, f);
  t.deepEqual(
    [...first].map(([file, r]) => [file, r.result]),
    [
      ['invoice-1.pdf', 'received'],
      ['march/invoice-2.pdf', 'received'],
      ['notes.txt', 'skipped'],
      ['resent-invoice-1.pdf', 'duplicate'],
    ],
    'files in name order, folders recursively',
  );
  const original = first.get('invoice-1.pdf')!.invoiceId!;
  t.is(first.get('resent-invoice-1.pdf')!.duplicateOf, original);
  t.is(first.get('notes.txt')!.invoiceId, null);
  t.is(await countInvoices(f.url), 3);

  const again = await importFolder(t, f);
  for (const file of ['invoice-1.pdf', 'march/invoice-2.pdf', 'resent-invoice-1.pdf']) {
    t.is(again.get(file)!.result, 'already imported', file);
    t.is(again.get(file)!.invoiceId, first.get(file)!.invoiceId, `${file} names the invoice stored the first time`);
  }
  t.is(again.get('notes.txt')!.result, 'skipped');
  t.is(await countInvoices(f.url), 3, 'a re-import stores nothing');

  const list = await cli(['invoices', 'list', '--config', f.config, '--json']);
  t.is(list.status, 0, list.stderr);
  const invoices = JSON.parse(list.stdout) as InvoiceSummary[];
  t.is(invoices.length, 3);
  t.deepEqual(invoices.map((i) => i.status).sort(), ['duplicate', 'received', 'received']);
  t.true(invoices.every((i) => i.channel === 'import'));
});

test('import prints a summary table with totals, and exits 1 when a path does not exist', async (t) => {
  const f = await fixture(t);
  const missing = join(f.folder, 'missing.pdf');
  const run = await cli(['import', f.folder, missing, '--config', f.config]);
  t.is(run.status, 1);
  t.regex(run.stdout, /invoice-1\.pdf\s+│ received /);
  t.regex(run.stdout, /missing\.pdf\s+│ failed\s+│\s+│ there is no such file or folder/);
  t.true(run.stdout.includes('5 files: 2 received, 1 duplicate, 1 skipped, 1 failed.'), run.stdout);
  t.true(run.stdout.includes('The daemon processes the 2 received invoices on its own'));
});

test('invoices list --status with an unknown status exits 1 with the reason', async (t) => {
  const f = await fixture(t);
  const run = await cli(['invoices', 'list', '--status', 'bogus', '--config', f.config]);
  t.is(run.status, 1);
  t.is(run.stdout, '');
  t.is(run.stderr, `"bogus" is not an invoice status; use one of: ${INVOICE_STATUSES.join(', ')}.\n`);
});

test('invoices show and inspect invoice give the invoice with its event history', async (t) => {
  const f = await fixture(t);
  const imported = await importFolder(t, f);
  const id = imported.get('resent-invoice-1.pdf')!.invoiceId!;

  const show = await cli(['invoices', 'show', id, '--config', f.config, '--json']);
  t.is(show.status, 0, show.stderr);
  const invoice = JSON.parse(show.stdout) as InvoiceDetail;
  t.is(invoice.id, id);
  t.is(invoice.status, 'duplicate');
  t.is(invoice.filename, 'resent-invoice-1.pdf');
  t.is(invoice.document.media_type, 'application/pdf');
  t.deepEqual(
    invoice.events.map((e) => [e.seq, e.from_status, e.to_status, e.actor]),
    [
      [1, null, 'received', 'cli-import'],
      [2, 'received', 'duplicate', 'cli-import'],
    ],
  );

  const text = await cli(['invoices', 'show', id, '--config', f.config]);
  t.is(text.status, 0, text.stderr);
  t.true(text.stdout.startsWith(`Invoice ${id}\n`));
  t.true(text.stdout.includes('History (2 events)'));

  const received = imported.get('invoice-1.pdf')!.invoiceId!;
  const history = await cli(['inspect', 'invoice', received, '--config', f.config]);
  t.is(history.status, 0, history.stderr);
  t.regex(
    history.stdout,
    /│ 1 +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z │ \(new\) → received │ cli-import │ received via import as invoice-1\.pdf/,
  );
});

test('an unknown invoice id exits 1 with one sentence', async (t) => {
  const f = await fixture(t);
  const unknown = '00000000-0000-4000-8000-000000000000';
  for (const args of [
    ['invoices', 'show', unknown],
    ['inspect', 'invoice', unknown],
    ['invoices', 'show', 'not-an-id', '--json'],
  ]) {
    const run = await cli([...args, '--config', f.config]);
    t.is(run.status, 1, args.join(' '));
    t.is(run.stdout, '');
    t.is(run.stderr, `There is no invoice ${args[2]}.\n`);
  }
});
