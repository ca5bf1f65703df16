import type { SearchObject } from 'imapflow';
import type { ImapSettings, MailRule, PostAction } from '../../config/imapSchema.ts';
import type { MailOutcome } from './processedMail.ts';

/**
 * How a handled mail is acknowledged on the server: moved to a folder, or marked in place.
 * Decided once, when the mail is recorded, and stored with its record (processed_mail.post_action)
 * in the text form `move:FOLDER`, `seen`, `flag` or `keyword:WORD`, so that a retry after a crash
 * runs exactly what was decided even if the settings changed meanwhile. This module is the only
 * place that writes or reads that text.
 */
export type MailAck =
  { kind: 'move'; folder: string } | { kind: 'seen' } | { kind: 'flag' } | { kind: 'keyword'; keyword: string };

/** The acknowledgement a mail gets for what became of it. */
export function ackFor(
  outcome: MailOutcome,
  rule: MailRule | undefined,
  settings: Pick<ImapSettings, 'folders' | 'postAction' | 'keyword'>,
): MailAck {
  if (outcome === 'rejected') return { kind: 'move', folder: settings.folders.rejected };
  if (outcome === 'unrecognized' || outcome === 'failed')
    return { kind: 'move', folder: settings.folders.unrecognized };
  const action = rule?.postAction ?? settings.postAction;
  if (action === 'move') return { kind: 'move', folder: settings.folders.processed };
  if (action === 'keyword') return { kind: 'keyword', keyword: settings.keyword };
  return { kind: action };
}

/** The stored text of an acknowledgement (also what log lines name). */
export function encodeAck(ack: MailAck): string {
  switch (ack.kind) {
    case 'move':
      return `move:${ack.folder}`;
    case 'keyword':
      return `keyword:${ack.keyword}`;
    default:
      return ack.kind;
  }
}

/** A stored acknowledgement read back; text this module never wrote is refused, not guessed at. */
export function decodeAck(text: string): MailAck {
  if (text.startsWith('move:')) return { kind: 'move', folder: text.slice('move:'.length) };
  if (text.startsWith('keyword:')) return { kind: 'keyword', keyword: text.slice('keyword:'.length) };
  if (text === 'seen' || text === 'flag') return { kind: text };
  throw new Error(`"${text}" is not a stored mail acknowledgement (move:FOLDER, seen, flag or keyword:WORD)`);
}

/** The IMAP flag a marking acknowledgement sets. */
export function ackFlag(ack: Exclude<MailAck, { kind: 'move' }>): string {
  return ack.kind === 'seen' ? '\\Seen' : ack.kind === 'flag' ? '\\Flagged' : ack.keyword;
}

/**
 * The search that lists every mail that may not be acknowledged yet: a moved mail is gone, a
 * marked one carries its mark. With several post-actions in use (a rule's own), a mail lacking
 * any one of their marks may be new (with `move` among them, any mail may); those the mark of
 * another post-action acknowledged are then left out by their processed_mail record.
 */
export function unacknowledgedSearch(inUse: ReadonlySet<PostAction>, keyword: string): SearchObject {
  if (inUse.has('move')) return { all: true };
  const unmarked = [...inUse].map((action): SearchObject =>
    action === 'seen' ? { seen: false } : action === 'flag' ? { flagged: false } : { unKeyword: keyword },
  );
  return unmarked.length === 1 ? unmarked[0]! : { or: unmarked };
}
