import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { buildUbl, slovakSampleInvoice } from '../support/einvoices.ts';
import { encryptedPdf, facturXPdf, plainPdf, truncated } from '../support/pdfFiles.ts';

test('broken documents are quarantined with a reason, and the daemon stays healthy', async (t) => {
  const url = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl: url,
    // Truncated and random ".pdf" files lack %%EOF: looked at again for a short while, then stored as they are.
    config: { intake: { dropFolder: { pollMs: 50, stableMs: 100, incompleteRetryMs: 300 } } },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const inbox = join(daemon.dir, 'inbox');
  const files: Record<string, Buffer> = {
    'empty.pdf': Buffer.alloc(0),
    'truncated.pdf': truncated(await plainPdf()),
    'encrypted.pdf': await encryptedPdf(),
    'html.pdf': Buffer.from('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'),
    'random.pdf': Buffer.from([0, 1, 2, 3, 250, 251, 252]),
    'entity.xml': Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>',
    ),
    'good-facturx.pdf': await facturXPdf(),
    'good.xml': Buffer.from(buildUbl(slovakSampleInvoice())),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(inbox, name), bytes);

  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  const deadline = Date.now() + 30_000;
  let rows: Array<{ filename: string; status: string; status_reason: string | null }> = [];
  while (Date.now() < deadline) {
    rows = (
      await pool.query(
        "SELECT filename, status, status_reason FROM invoices WHERE status NOT IN ('received', 'extracting', 'extracted', 'validating') ORDER BY filename",
      )
    ).rows;
    if (rows.length === Object.keys(files).length) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const byName = Object.fromEntries(rows.map((row) => [row.filename, row]));
  for (const name of ['empty.pdf', 'truncated.pdf', 'encrypted.pdf', 'html.pdf', 'random.pdf', 'entity.xml']) {
    t.is(byName[name]?.status, 'unreadable', name);
    t.truthy(byName[name]?.status_reason, `${name} has a reason`);
  }
  t.regex(byName['encrypted.pdf']!.status_reason!, /password-protected/);
  t.notRegex(JSON.stringify(rows), /root:x:0:0/, 'the external entity was never read');
  for (const name of ['good-facturx.pdf', 'good.xml']) t.not(byName[name]?.status, 'unreadable', name);

  // Nothing crashed: every actor still runs, and none was restarted.
  const tree = (await (await daemon.request('/api/actors')).json()) as ActorNode;
  const all = (node: ActorNode): ActorNode[] => [node, ...node.children.flatMap(all)];
  t.deepEqual(
    all(tree)
      .filter((node) => node.restarts > 0)
      .map((node) => node.id),
    [],
  );
  t.is((await daemon.request('/health')).status, 200);
});
