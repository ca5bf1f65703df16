import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';

/**
 * HTTPS for the console and API (http.tls): the certificate and key files read once when the
 * daemon starts, with a sentence naming the setting and the file when one cannot be used, so
 * that a typo in a path stops the start instead of leaving the daemon on plain HTTP.
 */
export type TlsSettings = NonNullable<Config['http']['tls']>;

export interface HttpsFiles {
  cert: Buffer;
  key: Buffer;
  passphrase?: string;
}

function tlsEnabled(tls: TlsSettings | undefined): tls is TlsSettings {
  return Boolean(tls && (tls.cert || tls.key));
}

/** The server's `https` options, or undefined for plain HTTP. */
export function readHttpsFiles(tls: TlsSettings | undefined): HttpsFiles | undefined {
  if (!tlsEnabled(tls)) return undefined;
  if (!tls.cert || !tls.key) {
    const missing = tls.cert ? 'http.tls.key' : 'http.tls.cert';
    throw new LoaderError(
      'HTTP_TLS_INCOMPLETE',
      `${missing} is empty: HTTPS needs both http.tls.cert and http.tls.key (or neither, for plain HTTP).`,
    );
  }
  const files: HttpsFiles = {
    cert: readSetting('http.tls.cert', tls.cert),
    key: readSetting('http.tls.key', tls.key),
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
  };
  try {
    new X509Certificate(files.cert);
  } catch (error) {
    throw new LoaderError(
      'HTTP_TLS_INVALID',
      `http.tls.cert: ${resolve(tls.cert)} is not a PEM certificate (${(error as Error).message}).`,
      { cause: error },
    );
  }
  try {
    createSecureContext(files);
  } catch (error) {
    throw new LoaderError('HTTP_TLS_INVALID', keyProblem(tls, files.key, error as Error), { cause: error });
  }
  return files;
}

function readSetting(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new LoaderError('HTTP_TLS_UNREADABLE', `${key}: cannot read ${resolve(path)} (${why}).`, { cause: error });
  }
}

function keyProblem(tls: TlsSettings, keyPem: Buffer, error: Error): string {
  const message = error.message;
  const key = resolve(tls.key);
  if (/key values mismatch/i.test(message)) {
    return `http.tls.key: ${key} is not the key of the certificate in ${resolve(tls.cert)}.`;
  }
  // PKCS#8 ("ENCRYPTED PRIVATE KEY") or the older "Proc-Type: 4,ENCRYPTED" header.
  if (keyPem.includes('ENCRYPTED')) {
    return tls.passphrase
      ? `http.tls.passphrase does not open the encrypted key ${key}.`
      : `http.tls.key: ${key} is encrypted: set http.tls.passphrase (\${ENV:HTTP_TLS_PASSPHRASE}).`;
  }
  return `http.tls.key: ${key} is not a usable private key (${message}).`;
}
