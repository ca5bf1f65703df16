import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { DaemonProcess } from './daemonProcess.ts';
import { run } from './run.ts';

export interface Certificate {
  cert: string;
  key: string;
  certPem: string;
}

/**
 * A self-signed certificate made by openssl (node's crypto cannot issue X.509) in a temp folder
 * removed after the test. Its only name is `localhost`, so a client connecting to 127.0.0.1
 * passes only when it trusts the certificate itself rather than a host name.
 */
export async function selfSignedCertificate(
  t: ExecutionContext,
  options: { name?: string; passphrase?: string } = {},
): Promise<Certificate> {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-loader-cert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    ...(options.passphrase ? ['-passout', `pass:${options.passphrase}`] : ['-nodes']),
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${options.name ?? 'invoice-loader-test'}`,
    '-addext',
    'subjectAltName=DNS:localhost',
  ]);
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { cert, key, certPem: readFileSync(cert, 'utf8') };
}

/** One HTTPS request trusting `ca`, as a client on the network would (host name `localhost`). */
export function httpsGet(
  port: number,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
  send: { method: string; body: string } = { method: 'GET', body: '' },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', servername: 'localhost', port, path, ca, headers, method: send.method, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(send.body);
  });
}

/** Waits until the daemon answers /health/ready over HTTPS, trusting `ca`. */
export async function waitForHttps(daemon: DaemonProcess, ca: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!daemon.running) throw new Error(`daemon exited: ${daemon.describeEnd()}`);
    const answer = await httpsGet(daemon.port, '/health/ready', ca).catch((error: Error) => error);
    if (!(answer instanceof Error) && answer.status === 200) return;
    last = answer instanceof Error ? answer.message : `${answer.status} ${answer.body}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`/health/ready did not answer over HTTPS within 90 s (last: ${last})`);
}
