import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join, dirname } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { LoaderError } from '../../src/errors.ts';
import pino from 'pino';
import { createActor, toPromise } from 'xstate';
import { createHttpService, isLoopback } from '../../src/http/httpService.ts';
import { createInspectionBus } from '../../src/runtime/inspectionBus.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { readHttpsFiles } from '../../src/http/tls.ts';
import { selfSignedCertificate } from '../support/certificates.ts';

const refusal = (t: ExecutionContext, run: () => unknown) => {
  const error = t.throws(run);
  t.true(error instanceof LoaderError);
  return error as LoaderError;
};

test('both empty is plain HTTP; a matching pair is read', async (t) => {
  t.is(readHttpsFiles({ cert: '', key: '', passphrase: '' }), undefined);
  t.is(readHttpsFiles(undefined), undefined);
  const certificate = await selfSignedCertificate(t);
  const files = readHttpsFiles({ cert: certificate.cert, key: certificate.key, passphrase: '' });
  t.is(files?.cert.toString('utf8'), certificate.certPem);
});

test('one of cert and key alone names the one missing', (t) => {
  const error = refusal(t, () => readHttpsFiles({ cert: './cert.pem', key: '', passphrase: '' }));
  t.is(error.code, 'HTTP_TLS_INCOMPLETE');
  t.regex(error.message, /^http\.tls\.key is empty/);
});

test('a key that belongs to another certificate is named with both files', async (t) => {
  const one = await selfSignedCertificate(t);
  const other = await selfSignedCertificate(t);
  const error = refusal(t, () => readHttpsFiles({ cert: one.cert, key: other.key, passphrase: '' }));
  t.is(error.code, 'HTTP_TLS_INVALID');
  t.is(error.message, `http.tls.key: ${other.key} is not the key of the certificate in ${one.cert}.`);
});

test('an encrypted key needs http.tls.passphrase, and the right one', async (t) => {
  const certificate = await selfSignedCertificate(t, { passphrase: 'correct horse' });
  const settings = { cert: certificate.cert, key: certificate.key };
  t.regex(
    refusal(t, () => readHttpsFiles({ ...settings, passphrase: '' })).message,
    /is encrypted: set http\.tls\.passphrase/,
  );
  t.regex(
    refusal(t, () => readHttpsFiles({ ...settings, passphrase: 'wrong' })).message,
    /^http\.tls\.passphrase does not open the encrypted key/,
  );
  t.truthy(readHttpsFiles({ ...settings, passphrase: 'correct horse' }));
});

test('a file that is not a certificate, or not there, is named', async (t) => {
  const certificate = await selfSignedCertificate(t);
  const notPem = join(dirname(certificate.cert), 'notes.txt');
  writeFileSync(notPem, 'not a certificate\n');
  const wrongType = refusal(t, () => readHttpsFiles({ cert: notPem, key: certificate.key, passphrase: '' }));
  t.is(wrongType.code, 'HTTP_TLS_INVALID');
  t.regex(wrongType.message, /^http\.tls\.cert: \S+notes\.txt is not a PEM certificate/);
  const missing = refusal(t, () =>
    readHttpsFiles({ cert: certificate.cert, key: '/nonexistent/key.pem', passphrase: '' }),
  );
  t.is(missing.code, 'HTTP_TLS_UNREADABLE');
  t.is(missing.message, 'http.tls.key: cannot read /nonexistent/key.pem (ENOENT).');
});

test('only loopback addresses count as this machine alone', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
    t.true(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'invoices.example.sk', '127.0.0.1.example.sk'])
    t.false(isLoopback(host), host);
});

/** Starts the real HTTP service on `host` (port 0) and returns what it logged at start. */
async function startLogs(host: string, tls?: { cert: string; key: string; passphrase: string }) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const service = createHttpService({
    settings: {
      enabled: true,
      host,
      port: 0,
      token: 'x'.repeat(20),
      tokenFile: './unused',
      openHealth: true,
      openMetrics: true,
      tls,
    },
    token: 'x'.repeat(20),
    logger: pino({ level: 'info' }, sink),
    view: {
      tree: () => undefined,
      health: () => ({ status: 'pass', version: 'test', description: 'test', checks: {} }),
      readiness: () => ({ ready: true, reasons: [] }),
      crash: () => false,
      inspection: createInspectionBus(),
      metrics: createMetrics(),
      faultInjection: false,
    },
  });
  await toPromise(createActor(service.actors.start).start());
  await toPromise(createActor(service.actors.stop).start());
  return lines;
}

// Binding 0.0.0.0 for a moment: nothing is sent anywhere, the server is closed at once.
test('plain HTTP on a network address is warned about at start; loopback, or TLS, is not', async (t) => {
  const warned = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.code === 'HTTP_PLAIN_ON_NETWORK');
  const network = warned(await startLogs('0.0.0.0'));
  t.is(network.length, 1);
  t.is(network[0]!.level, 40);
  t.regex(network[0]!.msg as string, /Plain HTTP on the network address 0\.0\.0\.0: .* set http\.tls/);
  t.deepEqual(warned(await startLogs('127.0.0.1')), []);
  const certificate = await selfSignedCertificate(t);
  t.deepEqual(warned(await startLogs('0.0.0.0', { cert: certificate.cert, key: certificate.key, passphrase: '' })), []);
});
