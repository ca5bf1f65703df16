import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

/** A raw RFC 5322 mail for tests, built the way a real mailer builds it (nodemailer's MailComposer). */
export interface TestMail {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  /** null: no plain text part (an HTML-only mail). */
  text?: string | null;
  html?: string;
  /** null: the mail has no Message-ID header at all (some scanners send such mail). */
  messageId?: string | null;
  date?: Date;
  attachments?: Array<{ filename: string; content: Buffer; contentType?: string }>;
}

export function newMessageId(): string {
  return `<${randomUUID()}@supplier.test>`;
}

export async function buildMail(mail: TestMail = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from ?? 'Fakturácia Dodávateľ <faktury@supplier.test>',
    to: mail.to ?? 'invoices@customer.test',
    cc: mail.cc,
    subject: mail.subject ?? 'Faktúra',
    text: mail.text === null ? undefined : (mail.text ?? 'Dobrý deň, v prílohe posielame faktúru.'),
    html: mail.html,
    messageId: mail.messageId === null ? undefined : (mail.messageId ?? newMessageId()),
    date: mail.date ?? new Date(),
    attachments: mail.attachments,
  });
  const raw = await composer.compile().build();
  // MailComposer always writes a Message-ID; a mail without one has it taken out.
  return mail.messageId === null
    ? Buffer.from(raw.toString('latin1').replace(/^Message-ID: .*\r\n/im, ''), 'latin1')
    : raw;
}
