import test from 'ava';
import { mailRuleSchema } from '../../src/config/imapSchema.ts';
import { decideMail, screenMail } from '../../src/intake/imap/decideMail.ts';
import { ackFor, decodeAck, encodeAck, unacknowledgedSearch, type MailAck } from '../../src/intake/imap/mailAck.ts';
import type { ParsedMail } from '../../src/intake/imap/parseMail.ts';

/** The mailbox's decisions without a server or a database: what becomes of a mail, and how it is acknowledged. */
const settings = {
  allowedSenders: ['*@supplier.test'],
  maxMailMb: 1,
  folders: { processed: 'Processed', rejected: 'Rejected', unrecognized: 'Unrecognized' },
  postAction: 'move' as const,
  keyword: 'InvoiceLoaded',
};
const rule = (fields: Record<string, unknown> = {}) => mailRuleSchema.parse({ name: 'r', ...fields });

function parsed(attachments: Array<{ filename: string; bytes: Buffer | null; candidate?: boolean }>, raw?: Buffer) {
  return {
    from: [{ name: '', address: 'a@supplier.test' }],
    to: [],
    subject: 'Faktúra 7',
    text: '',
    date: null,
    messageId: '<m@x>',
    attachments: attachments.map((a, index) => ({
      index,
      filename: a.filename,
      contentType: 'application/pdf',
      size: a.bytes?.length ?? 5 * 1024 * 1024,
      bytes: a.bytes,
      candidate: a.candidate ?? true,
    })),
    raw: raw ?? null,
    rawSize: raw?.length ?? 4096,
    oversize: false,
    peakHeldBytes: 0,
  } as unknown as ParsedMail;
}

test('screening: a sender outside allowedSenders is rejected, a mail over maxMailMb is too large, before any download', (t) => {
  const from = (address: string) => [{ name: '', address }];
  t.deepEqual(screenMail(settings, from('x@elsewhere.test'), 10), {
    kind: 'reject',
    reason: 'the sender is not in intake.imap.allowedSenders',
  });
  t.deepEqual(screenMail(settings, from('a@supplier.test'), 2 * 1024 * 1024), {
    kind: 'tooLarge',
    reason: 'it is larger (2.0 MB) than intake.imap.maxMailMb (1 MB)',
  });
  t.deepEqual(screenMail(settings, from('a@supplier.test'), undefined), { kind: 'read' });
});

test('decideMail: each taken attachment is a document with its own intake reference; too-large ones are named', (t) => {
  const decision = decideMail(
    parsed([
      { filename: 'faktura.pdf', bytes: Buffer.from('%PDF-1') },
      { filename: 'empty.pdf', bytes: Buffer.alloc(0) },
      { filename: 'huge.pdf', bytes: null },
      { filename: 'skipped.pdf', bytes: Buffer.from('%PDF-2'), candidate: false },
    ]),
    rule(),
    'email:<m@x>',
  );
  t.is(decision.kind, 'store');
  t.deepEqual(decision.kind === 'store' && decision.documents.map((d) => [d.filename, d.intakeRef]), [
    ['faktura.pdf', 'email:<m@x>#0'],
  ]);
  t.deepEqual(decision.tooLarge, ['huge.pdf (5.0 MB)']);
});

test('decideMail: the whole mail as .eml when the rule consumes it; the reason when nothing is usable', (t) => {
  const eml = decideMail(parsed([], Buffer.from('raw mail')), rule({ consume: 'eml' }), 'email:<m@x>');
  t.deepEqual(eml.kind === 'store' && eml.documents.map((d) => d.intakeRef), ['email:<m@x>#eml']);
  t.deepEqual(decideMail(parsed([]), rule(), 'b'), {
    kind: 'unrecognized',
    reason: 'it has no attachment',
    tooLarge: [],
  });
  t.deepEqual(decideMail(parsed([{ filename: 'huge.pdf', bytes: null }]), rule(), 'b'), {
    kind: 'unrecognized',
    reason: 'its documents are larger than intake.imap.maxAttachmentMb: huge.pdf (5.0 MB)',
    tooLarge: ['huge.pdf (5.0 MB)'],
  });
});

test('acknowledgements: decided by outcome and rule, stored as text and read back the same; unknown text is refused', (t) => {
  t.deepEqual(ackFor('rejected', undefined, settings), { kind: 'move', folder: 'Rejected' });
  t.deepEqual(ackFor('failed', undefined, settings), { kind: 'move', folder: 'Unrecognized' });
  t.deepEqual(ackFor('received', undefined, settings), { kind: 'move', folder: 'Processed' });
  t.deepEqual(ackFor('received', rule({ postAction: 'keyword' }), settings), {
    kind: 'keyword',
    keyword: 'InvoiceLoaded',
  });
  t.deepEqual(ackFor('duplicate', rule({ postAction: 'seen' }), settings), { kind: 'seen' });
  const all: MailAck[] = [
    { kind: 'move', folder: 'Faktúry/Spracované' },
    { kind: 'seen' },
    { kind: 'flag' },
    { kind: 'keyword', keyword: 'Loaded' },
  ];
  for (const ack of all) t.deepEqual(decodeAck(encodeAck(ack)), ack);
  t.is(encodeAck({ kind: 'move', folder: 'Processed' }), 'move:Processed', 'the text records already hold');
  t.throws(() => decodeAck('archive'), { message: /"archive" is not a stored mail acknowledgement/ });
});

test('the search for unacknowledged mail: all with a move in use, else the mails lacking a mark', (t) => {
  t.deepEqual(unacknowledgedSearch(new Set(['move', 'seen']), 'K'), { all: true });
  t.deepEqual(unacknowledgedSearch(new Set(['seen']), 'K'), { seen: false });
  t.deepEqual(unacknowledgedSearch(new Set(['flag', 'keyword']), 'K'), {
    or: [{ flagged: false }, { unKeyword: 'K' }],
  });
});
