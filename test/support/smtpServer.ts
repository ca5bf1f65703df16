import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the test process (smtp-server): AUTH PLAIN/LOGIN with one account,
 * STARTTLS with a certificate made for the test, and a switch that refuses every mail
 * (the "SMTP down" of an incident) while still answering.
 */
export interface ReceivedMail {
  parsed: ParsedMail;
  to: string[];
  user: string | undefined;
  secure: boolean;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** true: every mail is refused with 421 (the server is "down"). */
  refuse(on: boolean): void;
  stop(): Promise<void>;
  /** The certificate (PEM) to trust, when started with tls. */
  certFile: string | undefined;
}

/** A self-signed certificate for localhost, made with openssl in `dir`. */
export function selfSignedCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'smtp.key');
  const certFile = join(dir, 'smtp.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export async function startTestSmtp(options: {
  user: string;
  password: string;
  tls?: { key: string; cert: string; certFile: string };
  /** When set, only XOAUTH2 with this access token logs in. */
  xoauth2Token?: string;
}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let refusing = false;
  const server = new SMTPServer({
    secure: false,
    authMethods: options.xoauth2Token ? ['XOAUTH2'] : ['PLAIN', 'LOGIN'],
    allowInsecureAuth: !options.tls,
    hideSTARTTLS: !options.tls,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.xoauth2Token) {
        if (auth.method === 'XOAUTH2' && auth.username === options.user && auth.accessToken === options.xoauth2Token)
          callback(null, { user: auth.username });
        else callback(null, { data: { status: '401', schemes: 'bearer' } });
      } else if (auth.username === options.user && auth.password === options.password)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onMailFrom(_address, _session, callback) {
      if (refusing) {
        const error = new Error('Service not available') as Error & { responseCode: number };
        error.responseCode = 421;
        callback(error);
      } else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            parsed,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            secure: session.secure,
          });
          callback();
        })
        .catch(callback);
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    certFile: options.tls?.certFile,
    refuse: (on) => (refusing = on),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
