import { readFileSync } from 'node:fs';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ImapSettings } from '../../config/imapSchema.ts';
import { LoaderError, errorMessage } from '../../errors.ts';

/**
 * Opening the IMAP connection: TLS from the first byte, required STARTTLS, or plain (which the
 * config only allows towards loopback). Failures become one sentence an operator can act on.
 */
export function serverPort(settings: ImapSettings): number {
  if (settings.port) return settings.port;
  return settings.security === 'tls' ? 993 : 143;
}

export function describeServer(settings: ImapSettings): string {
  return `imap${settings.security === 'tls' ? 's' : ''}://${settings.user}@${settings.host}:${serverPort(settings)}/${settings.mailbox}`;
}

export function clientOptions(settings: ImapSettings): ImapFlowOptions {
  const ca = settings.caFile ? readFileSync(settings.caFile) : undefined;
  return {
    host: settings.host,
    port: serverPort(settings),
    secure: settings.security === 'tls',
    // starttls: required (a server that does not offer it is refused, not used in clear text);
    // plain: never upgraded.
    doSTARTTLS: settings.security === 'starttls' ? true : settings.security === 'plain' ? false : undefined,
    tls: { minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    // OAuth2 (XOAUTH2) where basic auth is switched off, e.g. Microsoft 365.
    auth: settings.accessToken
      ? { user: settings.user, accessToken: settings.accessToken }
      : { user: settings.user, pass: settings.password },
    logger: false,
    disableAutoIdle: !settings.idle,
    // IDLE starts this soon after the last command, so mail that arrives right after a pass is
    // announced by the server at once instead of at the next poll.
    autoIdleDelay: 200,
    // Some servers end an IDLE silently after 30 minutes; renewing it well before keeps news flowing.
    maxIdleTime: 5 * 60_000,
    connectionTimeout: settings.connectTimeoutMs,
    greetingTimeout: settings.connectTimeoutMs,
    clientInfo: { name: 'supplier-invoice-loader' },
  };
}

interface ImapErrorFields {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

/** Why the connection failed, said for an operator: what to check, never the password. */
export function describeImapFailure(settings: ImapSettings, error: unknown): LoaderError {
  if (error instanceof LoaderError) return error;
  const fields = (error ?? {}) as ImapErrorFields;
  const where = describeServer(settings);
  let reason: string;
  if (fields.authenticationFailed) {
    reason = `the server refused the login of ${settings.user} (${fields.responseText ?? 'authentication failed'}): check intake.imap.user and intake.imap.password`;
  } else if (fields.code === 'ECONNREFUSED') {
    reason = 'connection refused: is the IMAP server running and listening there?';
  } else if (fields.code === 'ENOTFOUND' || fields.code === 'EAI_AGAIN') {
    reason = `the host name ${settings.host} cannot be resolved`;
  } else if (fields.code === 'CONNECT_TIMEOUT' || fields.code === 'ETIMEDOUT' || fields.code === 'GREETING_TIMEOUT') {
    reason = `no answer within ${settings.connectTimeoutMs} ms`;
  } else if (/certificate|self[- ]signed|CERT_/i.test(`${fields.code ?? ''} ${errorMessage(error)}`)) {
    reason = `the server's TLS certificate is not trusted (${errorMessage(error)}): set intake.imap.caFile to its CA`;
  } else if (/STARTTLS/i.test(errorMessage(error))) {
    reason = `${errorMessage(error)}: the server does not offer STARTTLS; use security tls, or plain for a server on this machine`;
  } else if (
    fields.serverResponseCode === 'NONEXISTENT' ||
    /mailbox doesn't exist|NONEXISTENT/i.test(errorMessage(error))
  ) {
    reason = `the folder ${settings.mailbox} does not exist (intake.imap.mailbox)`;
  } else {
    reason = fields.responseText ? `${errorMessage(error)}: ${fields.responseText}` : errorMessage(error);
  }
  return new LoaderError('IMAP_UNAVAILABLE', `Cannot read mail at ${where}: ${reason}.`, { cause: error });
}

/** A connected client with the mailbox selected, or a LoaderError that says why not. */
export async function openMailbox(settings: ImapSettings, onError: (error: unknown) => void): Promise<ImapFlow> {
  const client = new ImapFlow(clientOptions(settings));
  // Without a listener, an 'error' event would be thrown; the 'close' that follows is what counts.
  client.on('error', onError);
  try {
    await client.connect();
    await client.mailboxOpen(settings.mailbox);
    return client;
  } catch (error) {
    client.close();
    throw describeImapFailure(settings, error);
  }
}
