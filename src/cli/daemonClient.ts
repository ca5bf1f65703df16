import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import { resolveHttpToken } from '../http/token.ts';

/** The daemon's answer: what the commands read of it. */
export interface DaemonResponse {
  status: number;
  ok: boolean;
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface DaemonRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Default 5 s: a daemon that does not answer by then is reported as not answering. */
  timeoutMs?: number;
}

/**
 * Talks to the running daemon's HTTP API, with the token from config or the token file.
 * node:http, not fetch: the first fetch() of a process loads undici, which cost a short
 * command like `health` more than everything else it does. Taken with getBuiltinModule, not an
 * ESM import: building node:http's ESM facade reads its lazy WebSocket getter, which loads
 * undici all the same.
 */
const { request } = process.getBuiltinModule('node:http');

/**
 * Over HTTPS (http.tls) the CLI trusts exactly the certificate in http.tls.cert, which it reads
 * from the same configuration as the daemon: no public CA needed for a self-signed certificate,
 * and no host name to match (the CLI connects to 127.0.0.1 whatever names the certificate
 * carries). checkServerIdentity runs before a byte of the request, so the token never reaches
 * a server holding another certificate.
 */
function httpsRequestOptions(http: Config['http']) {
  const { readFileSync } = process.getBuiltinModule('node:fs');
  let certPem: string;
  try {
    certPem = readFileSync(http.tls!.cert, 'utf8');
  } catch (error) {
    throw new LoaderError(
      'HTTP_TLS_UNREADABLE',
      `http.tls.cert: cannot read ${http.tls!.cert} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so the daemon's certificate cannot be checked.`,
      { cause: error },
    );
  }
  // The first certificate of the file: the server's own (a chain follows it).
  const pinned = new (process.getBuiltinModule('node:crypto').X509Certificate)(certPem).fingerprint256;
  return {
    request: process.getBuiltinModule('node:https').request,
    tls: {
      ca: certPem,
      // The configured certificate is the anchor even when a CA above it signed it.
      allowPartialTrustChain: true,
      checkServerIdentity: (_host: string, cert: { fingerprint256: string }) =>
        cert.fingerprint256 === pinned
          ? undefined
          : new Error(`the daemon presented a certificate other than http.tls.cert (${cert.fingerprint256})`),
    },
  };
}

export async function daemonRequest(
  http: Config['http'],
  path: string,
  init: DaemonRequestInit = {},
): Promise<DaemonResponse> {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  const secure = http.tls?.cert ? httpsRequestOptions(http) : undefined;
  const url = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${http.port}${path}`;
  const send = secure?.request ?? request;
  const token = resolveHttpToken(http, false);
  const headers: Record<string, string> = { ...init.headers };
  if (token) headers['x-api-key'] = token;
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  try {
    return await new Promise<DaemonResponse>((resolve, reject) => {
      const options = { method: init.method ?? 'GET', headers, timeout: init.timeoutMs ?? 5_000, ...secure?.tls };
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: res.headers,
            text: async () => body,
            json: async () => JSON.parse(body) as unknown,
          });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${init.timeoutMs ?? 5_000} ms`)));
      req.on('error', reject);
      req.end(init.body);
    });
  } catch (error) {
    if (secure && isCertificateError(error)) {
      throw new LoaderError(
        'DAEMON_CERTIFICATE_UNTRUSTED',
        `The server at ${url} presented a certificate other than http.tls.cert (${(error as Error).message}); nothing was sent to it. Is http.tls.cert the daemon's current certificate?`,
        { cause: error },
      );
    }
    throw new LoaderError(
      'DAEMON_UNREACHABLE',
      `No daemon answers at ${url} (${(error as Error).message}). Is it running?`,
      { cause: error },
    );
  }
}

// OpenSSL's verification codes (DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …) and our pin's.
function isCertificateError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT/.test(code) || /certificate other than/.test(String(error));
}

export async function daemonJson<T>(http: Config['http'], path: string): Promise<T> {
  const response = await daemonRequest(http, path);
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok && body.error) throw new LoaderError(body.error.code, body.error.message);
  return body;
}
