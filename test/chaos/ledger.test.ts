import test from 'ava';
import { tally, type Evidence, type SubmittedDocument } from './ledger.ts';

/**
 * The chaos suite's one definition of processed, lost and duplicated (docs/reliability.md):
 * each way a document can go wrong is counted where the definition says.
 */
const doc = (channel: SubmittedDocument['channel'], n: number): SubmittedDocument => ({
  channel,
  filename: `${channel}-${n}.xml`,
  invoiceNumber: `FV2026-${String(n).padStart(5, '0')}`,
  messageId: `<chaos-${n}@supplier.test>`,
});

function evidence(parts: Partial<Evidence>): Evidence {
  return { rows: [], postings: new Map(), unacknowledged: new Set(), ...parts };
}

test('one posted row, one posting, intake acknowledged: processed', (t) => {
  const docs = [doc('drop', 1), doc('http', 2), doc('imap', 3)];
  const result = tally(
    docs,
    evidence({
      rows: docs.map((d) => ({ filename: d.filename, status: 'posted' })),
      postings: new Map(docs.map((d) => [d.invoiceNumber, 1])),
    }),
  );
  t.like(result, { submitted: 3, processed: 3, lost: 0, duplicated: 0, pending: 0 });
});

test('no row, a dead letter, posted without a posting, a file left in the inbox, a mail left in INBOX: lost', (t) => {
  const docs = [doc('drop', 1), doc('http', 2), doc('http', 3), doc('drop', 4), doc('imap', 5)];
  const result = tally(
    docs,
    evidence({
      rows: [
        { filename: 'http-2.xml', status: 'dead_letter' },
        { filename: 'http-3.xml', status: 'posted' },
        { filename: 'drop-4.xml', status: 'posted' },
        { filename: 'imap-5.xml', status: 'posted' },
      ],
      postings: new Map([
        ['FV2026-00004', 1],
        ['FV2026-00005', 1],
      ]),
      unacknowledged: new Set(['drop-4.xml', '<chaos-5@supplier.test>']),
    }),
  );
  t.like(result, { processed: 0, lost: 5, duplicated: 0 });
  t.is(result.pending, 3, 'no row, or an intake not acknowledged, is still pending; a dead letter is an end');
});

test('two rows for one document, or two postings of one number: duplicated', (t) => {
  const docs = [doc('drop', 1), doc('http', 2)];
  const result = tally(
    docs,
    evidence({
      rows: [
        { filename: 'drop-1.xml', status: 'posted' },
        { filename: 'drop-1.xml', status: 'duplicate' },
        { filename: 'http-2.xml', status: 'posted' },
      ],
      postings: new Map([
        ['FV2026-00001', 1],
        ['FV2026-00002', 2],
      ]),
    }),
  );
  t.like(result, { processed: 0, lost: 0, duplicated: 2 });
});
