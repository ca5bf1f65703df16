import type { CommandModule } from 'yargs';
import type { Config } from '../../config/schema.ts';
import {
  assertStatus,
  getInvoice,
  listInvoices,
  type InvoiceDetail,
  type InvoiceEvent,
  type InvoiceSummary,
} from '../../db/invoiceQueries.ts';
import { LoaderError, errorMessage } from '../../errors.ts';
import type { InvoiceStatus } from '../../invoice/status.ts';
import { reprocessInvoice } from '../../pipeline/reprocess.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { correctCommand } from './invoiceCorrect.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { FittingTable } from '../tableLayout.ts';

/**
 * `invoice-loader invoices list|show|reprocess|correct`: the staged invoices, read straight from the
 * database (the daemon need not run), so an operator can see what arrived and why an invoice
 * stopped, and send one that stopped back through extraction and validation.
 */

/** A table without colours (the output is often piped, mailed or pasted into a ticket) that fits the terminal. */
export function plainTable(head: string[]): FittingTable {
  return new FittingTable(head);
}

/** Times are stored and shown in UTC; the space instead of `T` only makes them easier to read. */
export function utcTime(iso: string): string {
  return iso.replace('T', ' ');
}

export function renderEvents(events: InvoiceEvent[]): string {
  const table = plainTable(['seq', 'time (UTC)', 'from → to', 'actor', 'reason']);
  for (const e of events) {
    table.push([e.seq, utcTime(e.at), `${e.from_status ?? '(new)'} → ${e.to_status}`, e.actor, e.reason ?? '']);
  }
  return table.toString();
}

/** One invoice with its lines and history; an unknown id is an error naming it. */
export async function fetchInvoice(config: Config, id: string): Promise<InvoiceDetail> {
  const invoice = await withCliDatabase(config, (pool) => getInvoice(pool, id));
  if (!invoice) throw new LoaderError('INVOICE_NOT_FOUND', `There is no invoice ${id}.`);
  return invoice;
}

const listCommand: CommandModule<object, { config?: string; status?: string; limit: number; json?: boolean }> = {
  command: 'list',
  describe: 'the newest invoices: status, file, supplier, number, amount and why they stopped',
  builder: (y) =>
    y.options({
      ...configOption,
      status: { type: 'string', describe: 'only invoices in this status (needs_review, unreadable, …)' },
      limit: { type: 'number', default: 100, describe: 'at most this many, newest first (1–1000)' },
      json: { type: 'boolean', describe: 'print the invoices as JSON' },
    }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    try {
      // Wrong arguments are reported before any database is started or reached.
      const status = argv.status === undefined ? undefined : assertStatus(argv.status);
      const limit = assertLimit(argv.limit);
      const invoices = await withCliDatabase(config, (pool) => listInvoices(pool, { status, limit }));
      if (argv.json) console.log(JSON.stringify(invoices, null, 2));
      else console.log(renderList(invoices, status));
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};

function assertLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new LoaderError('INVALID_LIMIT', `--limit must be a whole number from 1 to 1000, not ${String(limit)}.`);
  }
  return limit;
}

function renderList(invoices: InvoiceSummary[], status: InvoiceStatus | undefined): string {
  if (invoices.length === 0) return status ? `No invoice is ${status}.` : 'There are no invoices yet.';
  const table = plainTable([
    'id',
    'status',
    'received (UTC)',
    'file',
    'supplier',
    'number',
    'gross',
    'currency',
    'reason',
  ]);
  for (const i of invoices) {
    table.push([
      i.id,
      i.status,
      utcTime(i.received_at).slice(0, 19),
      i.filename,
      i.supplier_name ?? '',
      i.invoice_number ?? '',
      i.total_gross ?? '',
      i.currency ?? '',
      shorten(i.status_reason ?? '', 60),
    ]);
  }
  return table.toString();
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const showCommand: CommandModule<object, { config?: string; id: string; json?: boolean }> = {
  command: 'show <id>',
  describe: 'one invoice: header, lines, validation problems and its full event history',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options({ ...configOption, json: { type: 'boolean', describe: 'print the invoice as JSON' } }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    try {
      const invoice = await fetchInvoice(config, argv.id);
      console.log(argv.json ? JSON.stringify(invoice, null, 2) : renderInvoice(invoice));
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};

function renderInvoice(invoice: InvoiceDetail): string {
  return [
    renderHeader(invoice),
    '',
    renderLines(invoice.lines),
    '',
    renderValidation(invoice.validation),
    '',
    `History (${invoice.events.length} event${invoice.events.length === 1 ? '' : 's'})`,
    renderEvents(invoice.events),
  ].join('\n');
}

function renderHeader(i: InvoiceDetail): string {
  const supplier = [i.supplier_name, i.supplier_ico && `IČO ${i.supplier_ico}`].filter(Boolean).join(', ');
  const fields: Array<[string, string | number | null]> = [
    ['status', `${i.status}${i.status_reason ? ` — ${i.status_reason}` : ''}`],
    ['received', `${utcTime(i.received_at)} via ${i.channel.replace('_', ' ')} as ${i.filename}`],
    ['sender', i.sender],
    ['subject', i.subject],
    ['message id', i.message_id],
    ['supplier', supplier || null],
    ['number', i.invoice_number],
    ['issue date', i.issue_date],
    ['gross', i.total_gross && `${i.total_gross} ${i.currency ?? ''}`.trim()],
    ['duplicate of', i.duplicate_of],
    ['document', `${i.document.media_type}, ${i.document.size_bytes} bytes, SHA-256 ${i.document.sha256}`],
    ['attempts', i.attempts],
    ['approved by', i.nex.approvers.map((a) => `${a.name} (${utcTime(a.at).slice(0, 19)} UTC)`).join(', ') || null],
    ['matching', i.nex.matching_status],
    ['NEX', describeNex(i.nex)],
  ];
  const shown = fields.filter(([, value]) => value !== null && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return [`Invoice ${i.id}`, ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}

function describeNex(nex: InvoiceDetail['nex']): string | null {
  if (nex.posted_via === 'outbox') return `written to the outbox as ${nex.outbox_file}`;
  if (nex.posted_via)
    return `document ${nex.document_number ?? '(no number given)'} (${nex.posted_via.replace('_', ' ')})`;
  if (nex.attempts)
    return `${nex.attempts} posting attempt(s)${nex.last_error ? `, last error: ${nex.last_error}` : ''}`;
  return null;
}

function renderLines(lines: Array<Record<string, unknown>>): string {
  if (lines.length === 0) return 'Lines: none (not extracted yet, or the document has none).';
  const columns: Array<[string, string]> = [
    ['#', 'line_number'],
    ['code', 'item_code'],
    ['description', 'description'],
    ['quantity', 'quantity'],
    ['unit', 'unit'],
    ['unit price', 'unit_price'],
    ['VAT %', 'vat_rate'],
    ['net', 'line_net'],
    ['gross', 'line_gross'],
    ['NEX product', 'nex_product_id'],
    ['matched by', 'matched_by'],
  ];
  const table = plainTable(columns.map(([head]) => head));
  for (const line of lines) table.push(columns.map(([, key]) => (line[key] == null ? '' : String(line[key]))));
  return `Lines (${lines.length})\n${table.toString()}`;
}

function renderValidation(validation: InvoiceDetail['validation']): string {
  const verdict = validation.status ?? 'not validated yet';
  if (validation.problems.length === 0) return `Validation: ${verdict}, no problems.`;
  return [
    `Validation: ${verdict}, ${validation.problems.length} problem(s):`,
    ...validation.problems.map(describeProblem),
  ].join('\n');
}

/** Problems are stored as JSON by the validator; the known fields are printed, anything else as JSON. */
function describeProblem(problem: unknown): string {
  const p = problem as { severity?: unknown; field?: unknown; message?: unknown; code?: unknown };
  if (typeof p?.message !== 'string') return `  - ${JSON.stringify(problem)}`;
  const where = typeof p.field === 'string' ? ` ${p.field}` : '';
  const code = typeof p.code === 'string' ? ` [${p.code}]` : '';
  return `  - ${typeof p.severity === 'string' ? p.severity : 'problem'}${where}: ${p.message}${code}`;
}

const reprocessCommand: CommandModule<object, { config?: string; id: string; as?: string; json?: boolean }> = {
  command: 'reprocess <id>',
  describe: "extract and validate a needs_review or unreadable invoice again, with today's templates",
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true, describe: 'the invoice id (from `invoices list`)' })
      .options({
        ...configOption,
        as: { type: 'string', describe: 'who asks (recorded in the history)' },
        json: { type: 'boolean', describe: 'print the outcome as JSON' },
      }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    try {
      const by = `${argv.as?.trim() || 'operator'} (cli)`;
      const outcome = await withCliDatabase(config, (pool) => reprocessInvoice(pool, argv.id, by));
      console.log(argv.json ? JSON.stringify(outcome, null, 2) : outcome.message);
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
    }
  },
};

export const invoicesCommand: CommandModule = {
  command: 'invoices <command>',
  describe: 'the staged invoices in the database (works whether or not the daemon runs)',
  builder: (y) =>
    y.command(listCommand).command(showCommand).command(reprocessCommand).command(correctCommand).demandCommand(1),
  handler: () => {},
};
