import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

/** A raw RFC 5322 mail for tests, built the way a real mailer builds it (nodemailer's MailComposer). */
export interface TestMail {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  text?: string;
  html?: string;
  messageId?: string;
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
    text: mail.text ?? 'Dobrý deň, v prílohe posielame faktúru.',
    html: mail.html,
    messageId: mail.messageId ?? newMessageId(),
    date: mail.date ?? new Date(),
    attachments: mail.attachments,
  });
  return composer.compile().build();
}
