import type { MessageEnvelopeObject } from 'imapflow';
import { formatAddresses, withoutNul } from './parseMail.ts';
import type { MailIdentity } from './processedMail.ts';
import type { MailAddress } from './rules.ts';

/** What is known of the mail in hand, for the log lines and records of whatever happens to it. */
export interface MailInHand {
  identity: MailIdentity;
  describe: string;
  about: Record<string, unknown>;
}

/** Bytes from the settings' megabytes (intake.imap.maxMailMb, maxAttachmentMb). */
export const bytesOf = (mb: number) => Math.round(mb * 1024 * 1024);
export const megabytes = (bytes: number) => `${(bytes / bytesOf(1)).toFixed(1)} MB`;

export function envelopeFrom(envelope: MessageEnvelopeObject | undefined): MailAddress[] {
  return (envelope?.from ?? []).map((a) => ({
    name: withoutNul(a.name ?? ''),
    address: withoutNul((a.address ?? '').toLowerCase()),
  }));
}

/** The identity of a mail as its envelope gives it: compared with, and stored in, its record. */
export function mailIdentityOf(envelope: MessageEnvelopeObject | undefined): MailIdentity {
  const date = envelope?.date instanceof Date && !Number.isNaN(envelope.date.getTime()) ? envelope.date : null;
  return {
    messageId: withoutNul(envelope?.messageId?.trim() ?? '') || null,
    sender: formatAddresses(envelopeFrom(envelope)) || null,
    subject: envelope?.subject === undefined ? null : withoutNul(envelope.subject),
    date,
  };
}

export function inHand(uid: number, identity: MailIdentity): MailInHand {
  return {
    identity,
    describe: `the mail "${identity.subject ?? ''}" from ${identity.sender ?? 'an unknown sender'}`,
    about: { uid, message_id: identity.messageId, from: identity.sender ?? '', subject: identity.subject },
  };
}
