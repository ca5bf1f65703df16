import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import pg from 'pg';
import { receiveDocument } from '../../src/db/invoiceStore.ts';
import { findPgTools, type PgTools } from '../../src/backup/pgTools.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { pdfBytes } from '../support/fixtures.ts';

let tools: Promise<PgTools> | undefined;

/** pg_dump and pg_restore of this machine (PATH), found once per test process. */
export function pgTools(): Promise<PgTools> {
  tools ??= findPgTools('');
  return tools;
}

/**
 * A migrated test database holding `invoices` invoices, each with its original document:
 * small PDFs, plus one larger document of random (incompressible) bytes, so that most of a
 * dump's bytes are document content, as in production.
 */
export async function invoiceDatabase(t: ExecutionContext, invoices = 5): Promise<{ url: string; pool: pg.Pool }> {
  const { url, pool } = await migratedDatabase(t, { max: 4 });
  for (let i = 0; i < invoices; i++) {
    const bytes = i === 0 ? Buffer.concat([pdfBytes('random'), randomBytes(256 * 1024)]) : pdfBytes(`invoice ${i}`);
    await addInvoice(pool, bytes, `invoice-${i}.pdf`);
  }
  return { url, pool };
}

export async function addInvoice(pool: pg.Pool, bytes: Buffer, filename: string): Promise<string> {
  const received = await receiveDocument(
    pool,
    { bytes, filename, mediaType: 'application/pdf', channel: 'http' },
    'test',
  );
  return received.invoiceId;
}

/** The database's invoices and their documents' bytes, in a comparable form. */
export async function invoicesWithBytes(
  url: string,
): Promise<Array<{ id: string; filename: string; sha256: string; content: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; filename: string; sha256: string; content: Buffer }>(
      `SELECT i.id, i.filename, d.sha256, d.content FROM invoices i JOIN documents d ON d.id = i.document_id ORDER BY i.id`,
    );
    return rows.map((row) => ({ ...row, content: row.content.toString('base64') }));
  } finally {
    await client.end();
  }
}
