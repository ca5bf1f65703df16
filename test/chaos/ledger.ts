import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { TERMINAL_STATUSES } from '../../src/invoice/status.ts';

/**
 * What the chaos suite counts, defined once (docs/reliability.md says the same in words).
 *
 * Every scenario submits documents, each once, each with its own file name and invoice number,
 * each one that the rules approve, so its one correct end is `posted` with one NEX posting
 * (an ISDOC file in the outbox, or a document in the gateway simulator).
 *
 * - processed: exactly one invoice row for the document, that row `posted`, exactly one posting
 *   of its invoice number, and the intake acknowledged (the file moved out of the drop folder,
 *   the mail moved out of INBOX).
 * - lost: no invoice row at all, or none of its rows reached `posted`, or posted without any
 *   posting, or the intake never acknowledged (a file left in the inbox, a mail left in INBOX).
 * - duplicated: more than one invoice row for the document, or more than one posting of its
 *   invoice number.
 *
 * A document can be both lost and duplicated (two rows, neither posted); processed is never
 * either. A dead letter is an end state, but not the one these documents must reach: lost.
 */
export type Channel = 'drop' | 'http' | 'imap';

export interface SubmittedDocument {
  channel: Channel;
  filename: string;
  invoiceNumber: string;
  /** The mail's Message-ID (imap), or the upload's message_id (http): how a replay is recognized. */
  messageId: string;
}

export interface Evidence {
  /** Every invoice row: its file name and status. */
  rows: Array<{ filename: string; status: string }>;
  /** Postings per invoice number (ISDOC files, or gateway documents). */
  postings: Map<string, number>;
  /** File names (drop) or Message-IDs (imap) whose intake was not acknowledged. */
  unacknowledged: Set<string>;
}

export interface Tally {
  submitted: number;
  processed: number;
  lost: number;
  duplicated: number;
  /** Documents not yet at an end state (what settling waits for). */
  pending: number;
  /** A few examples of what went wrong, for the report. */
  notes: string[];
}

const TERMINAL = new Set<string>(TERMINAL_STATUSES);

export function tally(submitted: SubmittedDocument[], evidence: Evidence): Tally {
  const rowsByFile = Map.groupBy(evidence.rows, (row) => row.filename);
  const result: Tally = { submitted: submitted.length, processed: 0, lost: 0, duplicated: 0, pending: 0, notes: [] };
  const note = (text: string) => result.notes.length < 8 && result.notes.push(text);
  for (const doc of submitted) {
    const rows = rowsByFile.get(doc.filename) ?? [];
    const postings = evidence.postings.get(doc.invoiceNumber) ?? 0;
    const acknowledged =
      doc.channel === 'http' || !evidence.unacknowledged.has(doc.channel === 'drop' ? doc.filename : doc.messageId);
    const posted = rows.some((row) => row.status === 'posted');
    if (rows.length === 0 || rows.some((row) => !TERMINAL.has(row.status)) || !acknowledged) result.pending++;
    const lost = !posted || postings === 0 || !acknowledged;
    const duplicated = rows.length > 1 || postings > 1;
    if (lost) {
      result.lost++;
      note(
        `${doc.filename}: ${rows.map((r) => r.status).join('+') || 'no row'}, ${postings} posting(s)${acknowledged ? '' : ', not acknowledged'}`,
      );
    }
    if (duplicated) {
      result.duplicated++;
      note(`${doc.filename}: ${rows.length} rows, ${postings} postings`);
    }
    if (!lost && !duplicated) result.processed++;
  }
  const known = new Set(submitted.map((doc) => doc.filename));
  const strangers = evidence.rows.filter((row) => !known.has(row.filename));
  if (strangers.length) note(`${strangers.length} invoice row(s) for no submitted document`);
  return result;
}

export async function invoiceRows(pool: pg.Pool): Promise<Evidence['rows']> {
  return (await pool.query<{ filename: string; status: string }>('SELECT filename, status FROM invoices')).rows;
}

/** ISDOC files in the outbox per invoice number (outbox mode names them <ico>_<number>_<id>.isdoc). */
export function outboxPostings(outbox: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(outbox)) return counts;
  for (const file of readdirSync(outbox)) {
    const number = /_(FV\d{4}-\d+)_.*\.isdoc$/.exec(file)?.[1];
    if (number) counts.set(number, (counts.get(number) ?? 0) + 1);
  }
  return counts;
}

/** Documents the gateway simulator stored, per invoice number (its extNum). */
export function gatewayPostings(documents: Array<{ extNum: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const doc of documents) counts.set(doc.extNum, (counts.get(doc.extNum) ?? 0) + 1);
  return counts;
}

/** Files still in the drop folder (not moved to processed/ or rejected/). */
export function inboxLeftovers(inbox: string): string[] {
  if (!existsSync(inbox)) return [];
  return readdirSync(inbox).filter((name) => name !== 'processed' && name !== 'rejected' && !name.startsWith('.'));
}

export function inboxFolder(daemonDir: string): string {
  return join(daemonDir, 'inbox');
}

export function formatTally(t: Tally): string {
  return `processed ${t.processed} / lost ${t.lost} / duplicated ${t.duplicated}`;
}

/** Two parts of one scenario counted together. */
export function addTallies(a: Tally, b: Tally): Tally {
  return {
    submitted: a.submitted + b.submitted,
    processed: a.processed + b.processed,
    lost: a.lost + b.lost,
    duplicated: a.duplicated + b.duplicated,
    pending: a.pending + b.pending,
    notes: [...a.notes, ...b.notes],
  };
}
