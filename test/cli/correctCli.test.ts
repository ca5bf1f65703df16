import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { eventsOf, largeInvoice, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { runCli, tempDir } from '../support/tempDir.ts';

/** `invoices correct` as an operator on the server runs it, against a real database. */
test('invoices correct: --set and --lines-file, as cli:<OS user>, validated again and passed to the approval rules', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const dir = tempDir(t);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, stringify({ database: { url }, logging: { console: 'off' } }));
  const run = (...args: string[]) => runCli(['invoices', 'correct', ...args, '--config', config]);

  // Above approval.autoApproveBelow (1000): valid again, it waits for a person.
  const large = await stageInvoice(pool, { ...largeInvoice(1), total_gross: '2048.63' }, 'needs_review');
  const corrected = await run(large, '--set', 'total_gross=2048.36', '--reason', 'prehodené číslice', '--as', 'Jana');
  t.is(corrected.status, 0, corrected.stderr);
  t.regex(corrected.stdout, /corrected by cli:\S+; it is valid and awaits approval/);
  t.like(await statusOf(pool, large), { status: 'validated', total_gross: '2048.36' });
  const event = (await eventsOf(pool, large)).find((e) => (e.details as { kind?: string })?.kind === 'corrected')!;
  t.regex(event.actor, /^cli:\S+ \(as Jana\)$/);
  t.like(event.details, {
    changes: { total_gross: { before: '2048.63', after: '2048.36' } },
    reason: 'prehodené číslice',
  });
  t.regex((event.details as { by: string }).by, /^cli:\S+$/);

  // A missing line typed in from a file: valid and below 1000, but lines a person typed in are
  // approved by a person, never by approval.autoApproveBelow.
  const invoice = numberedInvoice(2);
  const short = await stageInvoice(pool, { ...invoice, lines: invoice.lines.slice(0, 2) }, 'needs_review');
  const linesFile = join(dir, 'lines.json');
  writeFileSync(linesFile, JSON.stringify(invoice.lines));
  const lines = await run(short, '--lines-file', linesFile, '--json');
  t.is(lines.status, 0, lines.stderr);
  t.like(JSON.parse(lines.stdout), { changed: true, from: 'needs_review', status: 'validated', fields: ['lines'] });
  t.regex(String((await statusOf(pool, short)).status_reason), /corrected by a person, so an approver decides/);

  // A correction that touches no amount (the variable symbol): the rules approve it as after extraction.
  const symbol = await stageInvoice(pool, numberedInvoice(3), 'needs_review');
  const plain = await run(symbol, '--set', 'variable_symbol=20260003', '--json');
  t.is(plain.status, 0, plain.stderr);
  t.like(JSON.parse(plain.stdout), { status: 'approved', fields: ['variable_symbol'] });
  t.is(
    Number((await pool.query('SELECT count(*) FROM invoice_lines WHERE invoice_id = $1', [short])).rows[0].count),
    3,
  );

  const refused = await run(short, '--set', 'total_gross=1,5');
  t.is(refused.status, 1);
  t.regex(refused.stderr, /header\.total_gross: "1,5" is not a decimal number/);
  const notField = await run(large, '--set', 'colour');
  t.is(notField.status, 1);
  t.regex(notField.stderr, /--set: "colour" is not FIELD=VALUE/);
  const approved = await run(symbol, '--set', 'variable_symbol=1');
  t.is(approved.status, 1);
  t.regex(approved.stderr, /is approved; only an invoice that needs review or awaits approval can be corrected/);
});
