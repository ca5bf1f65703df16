import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { createActor, toPromise } from 'xstate';
import { invoiceMachine } from '../../machines/invoice.ts';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { extractDocument } from '../../src/extract/extractDocument.ts';
import type { NormalizedInvoice } from '../../src/invoice/normalizedInvoice.ts';
import { supplierKey } from '../../src/invoice/supplierKey.ts';
import { outboxName } from '../../src/nex/outbox.ts';
import { lifecycleSteps } from '../../src/pipeline/lifecycleSteps.ts';
import { validateInvoice } from '../../src/validate/validateInvoice.ts';
import { createTestDatabase } from '../support/database.ts';
import { buildCii, slovakSampleInvoice } from '../support/einvoices.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { facturXPdf } from '../support/pdfFiles.ts';
import { tempDir } from '../support/tempDir.ts';

const THIS_MIGRATION = '20261206020000_supplier-key.sql';
const ID = '6f1f2a43-8a52-4c1e-9a4b-0d3c9a1b2c3d';

/** A German supplier as Factur-X carries it: a VAT id, no IČO. */
function germanInvoice(): NormalizedInvoice {
  const invoice = slovakSampleInvoice();
  return {
    ...invoice,
    invoice_number: '471102',
    supplier: {
      ...invoice.supplier,
      name: 'Müller Baustoffe GmbH',
      ico: null,
      dic: null,
      ic_dph: null,
      vat_id: 'DE123456789',
      country: 'DE',
      iban: 'DE89370400440532013000',
    },
  };
}

test('the supplier is its IČO, else its VAT id or IČ DPH, else its normalized name and IBAN', (t) => {
  const none = { ico: null, vat_id: null, ic_dph: null, name: null, iban: null };
  t.is(supplierKey({ ...none, ico: '36 555 720', vat_id: 'SK2020317068' }), '36555720');
  t.is(supplierKey({ ...none, vat_id: 'de 123.456.789', name: 'X' }), 'DE123456789');
  t.is(supplierKey({ ...none, ic_dph: 'SK2020317068' }), 'SK2020317068');
  t.is(
    supplierKey({ ...none, name: '  MÜLLER-Baustoffe  GmbH ', iban: 'at61 1904 3002 3457 3201' }),
    'muller baustoffe gmbh|AT611904300234573201',
  );
  t.is(supplierKey({ ...none, name: 'Müller Baustoffe GmbH' }), null, 'a name alone identifies nobody');
  t.is(supplierKey({ ...none, iban: 'AT611904300234573201' }), null);
});

test('two Factur-X PDFs with the same number from a supplier without an IČO: the second is a duplicate', async (t) => {
  const pool = await migratedPool(t);
  const machine = invoiceMachine.provide({
    actors: lifecycleSteps({
      pool: () => pool,
      extract: (bytes, mediaType) => extractDocument(bytes, mediaType, { mode: 'auto', templates: [] }),
      validate: (invoice) => validateInvoice(invoice, { today: '2026-07-25' }),
      actor: 'test',
    }),
  });
  const ids: string[] = [];
  for (const copy of ['first', 'second']) {
    // Two different files (a re-sent mail renders a new PDF), so the file hash does not catch the copy.
    const invoice = { ...germanInvoice(), notes: [`copy ${copy}`] };
    const bytes = await facturXPdf(buildCii(invoice));
    const received = await receiveDocument(
      pool,
      { bytes, filename: `${copy}.pdf`, mediaType: 'application/pdf', channel: 'email' },
      'test',
    );
    t.false(received.duplicate);
    ids.push(received.invoiceId);
  }
  const outcomes = [];
  for (const invoiceId of ids) {
    outcomes.push(await toPromise(createActor(machine, { input: { invoiceId, status: 'received' } }).start()));
  }
  t.is(outcomes[0]!.status, 'validated');
  t.is(outcomes[1]!.status, 'duplicate');
  const rows = (
    await pool.query(
      'SELECT id, supplier_ico, supplier_key, duplicate_of, status_reason FROM invoices ORDER BY received_at',
    )
  ).rows;
  t.deepEqual(
    rows.map((r) => [r.supplier_ico, r.supplier_key, r.duplicate_of]),
    [
      [null, 'DE123456789', null],
      [null, 'DE123456789', ids[0]],
    ],
  );
  t.regex(rows[1].status_reason, /DE123456789 already sent invoice 471102/);
});

test('outbox files name the supplier by the same key, with no character Windows refuses', (t) => {
  const invoice = germanInvoice();
  t.is(outboxName({ invoiceId: ID, invoice }), `DE123456789_471102_${ID}`);
  const byName = { ...invoice, supplier: { ...invoice.supplier, vat_id: null, name: 'Müller <Bau>: "A/B"|C?*' } };
  const name = outboxName({ invoiceId: ID, invoice: byName });
  t.is(name, `muller-bau-a-b-c-DE89370400440532013000_471102_${ID}`);
  t.notRegex(name, /[<>:"/\\|?*]/);
});

/** Rows as a database of the previous version holds them, then the migration: the key is backfilled by the same rules. */
test('the migration backfills the key of stored invoices as the code computes it, and keeps earlier double postings apart', async (t) => {
  const url = await createTestDatabase(t);
  const before = tempDir(t);
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < THIS_MIGRATION)) {
    copyFileSync(join(MIGRATIONS_DIR, file), join(before, file));
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  await runner({ dbClient: client, dir: before, direction: 'up', migrationsTable: 'pgmigrations', log: () => {} });

  const suppliers = [
    { ico: '36555720', vat_id: 'SK2020317068', ic_dph: null, name: 'L&Š', iban: null },
    { ico: null, vat_id: 'de 123 456 789', ic_dph: null, name: null, iban: null },
    { ico: null, vat_id: null, ic_dph: 'SK-2020317068', name: null, iban: null },
    {
      ico: null,
      vat_id: null,
      ic_dph: null,
      name: 'Žltá Ďateľ Öl & Söhne, s.r.o.',
      iban: 'sk31 1200 0000 1987 4263 7541',
    },
    { ico: null, vat_id: null, ic_dph: null, name: 'ÀÉÎÕÜ Ĺ Ŕ ŇŤ Ůű ſ', iban: 'AT611904300234573201' },
    { ico: null, vat_id: null, ic_dph: null, name: 'Nobody', iban: null },
    // The defect: the same foreign invoice stored twice, both posted.
    { ico: null, vat_id: 'DE123456789', ic_dph: null, name: null, iban: null },
  ];
  const numbers = ['1', '2', '3', '4', '5', '6', '2'];
  const ids: string[] = [];
  for (const [k, s] of suppliers.entries()) {
    const doc = await client.query<{ id: string }>(
      `INSERT INTO documents (id, sha256, media_type, size_bytes, content)
       VALUES (gen_random_uuid(), lpad(to_hex($1::int), 64, '0'), 'application/pdf', 1, 'x') RETURNING id`,
      [k + 1],
    );
    const row = await client.query<{ id: string }>(
      `INSERT INTO invoices (id, document_id, status, channel, filename, invoice_number, supplier_ico, supplier_vat_id,
         supplier_ic_dph, supplier_name, supplier_iban, extracted, received_at)
       VALUES (gen_random_uuid(), $1, 'posted', 'http', 'f.pdf', $2, $3, $4, $5, $6, $7, '{}', now() + make_interval(secs => $8))
       RETURNING id`,
      [doc.rows[0]!.id, numbers[k], s.ico, s.vat_id, s.ic_dph, s.name, s.iban, k],
    );
    await client.query(
      `INSERT INTO invoice_events (invoice_id, seq, to_status, reason, actor) VALUES ($1, 1, 'posted', 'staged', 'test')`,
      [row.rows[0]!.id],
    );
    ids.push(row.rows[0]!.id);
  }

  await migrate(client);

  const stored = new Map(
    (await client.query<{ id: string; supplier_key: string | null }>('SELECT id, supplier_key FROM invoices')).rows.map(
      (r) => [r.id, r.supplier_key],
    ),
  );
  t.deepEqual(
    ids.slice(0, 6).map((id) => stored.get(id)),
    suppliers.slice(0, 6).map((s) => supplierKey(s)),
  );
  t.is(stored.get(ids[6]!), null, 'the later of two stored copies gives the key up to the earlier one');
  const note = await client.query(
    'SELECT from_status, to_status, actor, details FROM invoice_events WHERE invoice_id = $1 AND seq = 2',
    [ids[6]],
  );
  t.deepEqual(note.rows, [
    {
      from_status: 'posted',
      to_status: 'posted',
      actor: 'migration',
      details: { same_as: ids[1], by: 'supplier_key' },
    },
  ]);
});
