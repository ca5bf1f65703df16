import type { ImapSettings, MailRule } from '../../config/imapSchema.ts';
import { bytesOf, megabytes } from './mailInHand.ts';
import type { AttachmentPart, ParsedMail } from './parseMail.ts';
import {
  documentName,
  emlName,
  ruleFromHeaders,
  ruleTakesAttachment,
  senderAllowed,
  type MailAddress,
  type MailHeaderFacts,
} from './rules.ts';

/**
 * What becomes of a mail, decided from what is known of it and nothing else: no server, no
 * database, no clock of its own. The pass (mailboxPass.ts) does what these decisions say.
 */

/** Before anything is downloaded: from the envelope's sender and the server's size. */
export type Screening = { kind: 'reject'; reason: string } | { kind: 'tooLarge'; reason: string } | { kind: 'read' };

export function screenMail(
  settings: Pick<ImapSettings, 'allowedSenders' | 'maxMailMb'>,
  from: MailAddress[],
  size: number | undefined,
): Screening {
  if (!senderAllowed(settings.allowedSenders, from))
    return { kind: 'reject', reason: 'the sender is not in intake.imap.allowedSenders' };
  if (size !== undefined && size > bytesOf(settings.maxMailMb)) return tooLarge(settings, size);
  return { kind: 'read' };
}

export function tooLarge(settings: Pick<ImapSettings, 'maxMailMb'>, size: number): Screening & { kind: 'tooLarge' } {
  return {
    kind: 'tooLarge',
    reason: `it is larger (${megabytes(size)}) than intake.imap.maxMailMb (${settings.maxMailMb} MB)`,
  };
}

/**
 * Whether an attachment may become a document; those that may not are drained while the mail
 * is parsed, never kept in memory.
 */
export function attachmentFilter(rules: MailRule[], at: Date) {
  return (part: AttachmentPart, headers: MailHeaderFacts) => {
    const name = documentName(part.filename, part.contentType, part.index);
    if (!name) return false;
    const rule = ruleFromHeaders(rules, headers, at);
    if (!rule) return true; // a rule filtering on the body may decide: known only at the end
    return rule.consume !== 'eml' && ruleTakesAttachment(rule, name);
  };
}

export interface MailDocument {
  filename: string;
  bytes: Buffer;
  intakeRef: string;
}

/** After the mail was read and its rule chosen: the documents to store, or why there are none. */
export type MailDecision =
  | { kind: 'store'; documents: MailDocument[]; tooLarge: string[] }
  | { kind: 'unrecognized'; reason: string; tooLarge: string[] };

/** `base` is the mail's intake reference; each document's is the base and its part. */
export function decideMail(mail: ParsedMail, rule: MailRule, base: string): MailDecision {
  const documents: MailDocument[] = [];
  const tooLarge: string[] = [];
  if (rule.consume !== 'eml') {
    for (const attachment of mail.attachments) {
      const name = documentName(attachment.filename, attachment.contentType, attachment.index);
      if (!name || !attachment.candidate || !ruleTakesAttachment(rule, name)) continue;
      if (!attachment.bytes) tooLarge.push(`${name} (${megabytes(attachment.size)})`);
      else if (attachment.bytes.length > 0)
        documents.push({ filename: name, bytes: attachment.bytes, intakeRef: `${base}#${attachment.index}` });
    }
  }
  if (rule.consume !== 'attachments') {
    const name = emlName(mail.subject);
    if (mail.raw) documents.push({ filename: name, bytes: mail.raw, intakeRef: `${base}#eml` });
    else tooLarge.push(`${name} (${megabytes(mail.rawSize)})`);
  }
  if (documents.length > 0) return { kind: 'store', documents, tooLarge };
  const reason =
    tooLarge.length > 0
      ? `its documents are larger than intake.imap.maxAttachmentMb: ${tooLarge.join(', ')}`
      : mail.attachments.length === 0
        ? 'it has no attachment'
        : `none of its attachments (${mail.attachments.map((a) => a.filename ?? a.contentType).join(', ')}) is a PDF, XML or ISDOC document that rule "${rule.name}" takes`;
  return { kind: 'unrecognized', reason, tooLarge };
}
