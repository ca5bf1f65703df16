import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { AlertsConfig } from '../config/alertsSchema.ts';
import { isLoopbackHost } from '../config/imapSchema.ts';
import { LoaderError, errorMessage } from '../errors.ts';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Connects and logs in once; resolves with a sentence for health, rejects with what to check. */
  verify(): Promise<string>;
  /** Resolves with the server's Message-ID once the server accepted the mail. */
  send(mail: OutgoingMail): Promise<string | null>;
  close(): void;
}

export const smtpConfigured = (settings: AlertsConfig): boolean =>
  settings.smtp.host !== '' && settings.to.length > 0 && settings.from !== '';

export function smtpPort(smtp: AlertsConfig['smtp']): number {
  return smtp.port || (smtp.secure ? 465 : 587);
}

function auth(smtp: AlertsConfig['smtp']): SMTPPool.Options['auth'] {
  if (smtp.oauth2) {
    const o = smtp.oauth2;
    return {
      type: 'OAuth2',
      user: smtp.user,
      ...(o.clientId ? { clientId: o.clientId } : {}),
      ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
      ...(o.refreshToken ? { refreshToken: o.refreshToken } : {}),
      ...(o.accessUrl ? { accessUrl: o.accessUrl } : {}),
      ...(o.accessToken ? { accessToken: o.accessToken } : {}),
    };
  }
  return smtp.user ? { user: smtp.user, pass: smtp.password } : undefined;
}

/**
 * A pooled nodemailer SMTP transport: TLS from the start (secure) or STARTTLS, which is
 * required except towards a loopback relay; timeouts of seconds so a dead server cannot hold
 * the alerter; a password or XOAUTH2 login.
 */
export function createMailTransport(settings: AlertsConfig): MailTransport {
  const { smtp } = settings;
  const options: SMTPPool.Options = {
    pool: true,
    host: smtp.host,
    port: smtpPort(smtp),
    secure: smtp.secure,
    requireTLS: !smtp.secure && !isLoopbackHost(smtp.host),
    auth: auth(smtp),
    connectionTimeout: smtp.connectionTimeoutMs,
    greetingTimeout: smtp.greetingTimeoutMs,
    socketTimeout: smtp.socketTimeoutMs,
    maxConnections: smtp.maxConnections,
    ...(smtp.caFile ? { tls: { ca: readFileSync(smtp.caFile, 'utf8') } } : {}),
  };
  // nodemailer is loaded with the first verify or mail: a daemon without alert mail never needs it.
  let transport: Promise<Transporter<SMTPPool.SentMessageInfo>> | undefined;
  const connected = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options)));
  const where = `${smtp.host}:${smtpPort(smtp)}`;
  const failure = (error: unknown, doing: string) =>
    new LoaderError('SMTP_FAILED', `The SMTP server ${where} ${doing}: ${errorMessage(error)}.`, { cause: error });
  return {
    async verify() {
      try {
        await (await connected()).verify();
        return `connected to ${where}${smtp.user ? ` as ${smtp.user}` : ''}`;
      } catch (error) {
        throw failure(error, 'could not be reached or refused the login (check alerts.smtp)');
      }
    },
    async send(mail) {
      try {
        const info = await (await connected()).sendMail({ from: settings.from, ...mail, to: mail.to.join(', ') });
        return info.messageId ?? null;
      } catch (error) {
        throw failure(error, 'did not accept the mail');
      }
    },
    close: () => void transport?.then((open) => open.close()).catch(() => undefined),
  };
}
