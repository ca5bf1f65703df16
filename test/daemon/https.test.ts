import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { addPerson } from '../../src/auth/people.ts';
import { stringify } from 'yaml';
import { createTestDatabase } from '../support/database.ts';
import { selfSignedCertificate, httpsGet, waitForHttps } from '../support/certificates.ts';
import { BIN, startDaemonProcess, TOKEN } from '../support/daemonProcess.ts';
import { run } from '../support/run.ts';

test('with http.tls the daemon answers HTTPS only, and the CLI talks to it trusting that certificate', async (t) => {
  const certificate = await selfSignedCertificate(t);
  const databaseUrl = await createTestDatabase(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl,
    config: { http: { tls: { cert: certificate.cert, key: certificate.key } } },
  });
  await waitForHttps(daemon, certificate.certPem);

  // The default host: only this machine, and no warning about plain HTTP on a network address.
  const listening = await daemon.waitForLog((e) => e.msg === 'HTTP server listening');
  t.is(listening.url, `https://127.0.0.1:${daemon.port}`);
  t.false(daemon.logs.some((e) => e.code === 'HTTP_PLAIN_ON_NETWORK'));

  const health = await httpsGet(daemon.port, '/health', certificate.certPem);
  t.is(health.status, 200);
  t.like(health.headers, {
    'strict-transport-security': 'max-age=31536000',
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  t.is((JSON.parse(health.body) as { status: string }).status, 'pass');
  const invoices = await httpsGet(daemon.port, '/api/invoices', certificate.certPem, { 'x-api-key': TOKEN });
  t.is(invoices.status, 200);

  // A person signing in over HTTPS gets a session cookie the browser sends over HTTPS only.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  t.teardown(() => pool.end());
  await addPerson(pool, { name: 'eva', role: 'viewer', password: 'eva-password-123' });
  const body = JSON.stringify({ name: 'eva', password: 'eva-password-123' });
  const signIn = await httpsGet(
    daemon.port,
    '/api/session',
    certificate.certPem,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    { method: 'POST', body },
  );
  t.is(signIn.status, 200, signIn.body);
  const cookies = [signIn.headers['set-cookie'] ?? []].flat();
  t.true(cookies.length > 0);
  for (const cookie of cookies) t.regex(cookie, /; Secure/, cookie);

  // Plain HTTP on the same port gets no answer: the TLS server drops what is not a handshake.
  const plain = await daemon.request('/health', { token: null }).catch((error: Error) => error);
  t.true(plain instanceof Error, `plain HTTP was answered: ${plain instanceof Error ? '' : plain.status}`);

  // A client that does not trust the certificate refuses the connection.
  const untrusted = await httpsGet(daemon.port, '/health', (await selfSignedCertificate(t)).certPem).catch(
    (error: Error) => error,
  );
  t.true(untrusted instanceof Error);

  const cli = await daemon.cli(['health']);
  t.is(cli.status, 0, cli.stderr);
  t.regex(cli.stdout, /^pass — /);
  const inspect = await daemon.cli(['inspect', '--json']);
  t.is(inspect.status, 0, inspect.stderr);
  t.is((JSON.parse(inspect.stdout) as { id: string }).id, 'root');
});

test('the CLI refuses a daemon whose certificate is not the one in http.tls.cert, before sending the token', async (t) => {
  const served = await selfSignedCertificate(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl: await createTestDatabase(t),
    config: { http: { tls: { cert: served.cert, key: served.key } } },
  });
  await waitForHttps(daemon, served.certPem);
  // Another certificate with the same name, as a machine in the middle would present.
  const other = await selfSignedCertificate(t);
  const config = join(daemon.dir, 'other-cert.yaml');
  writeFileSync(
    config,
    stringify({ http: { port: daemon.port, token: TOKEN, tls: { cert: other.cert, key: other.key } } }),
  );
  const before = daemon.logs.length;
  const cli = await run(process.execPath, [BIN, 'health', '--config', config], { cwd: daemon.dir });
  t.is(cli.status, 1);
  t.regex(cli.stderr, /presented a certificate other than http\.tls\.cert .*nothing was sent to it/);
  // The daemon saw no request: the handshake ended before the request was written.
  t.false(daemon.logs.slice(before).some((e) => JSON.stringify(e).includes(TOKEN)));
});

test('a certificate file that is missing stops the start with a sentence naming http.tls.cert and the file', async (t) => {
  const certificate = await selfSignedCertificate(t);
  const daemon = await startDaemonProcess(t, {
    databaseUrl: await createTestDatabase(t),
    config: { http: { tls: { cert: './no-such-cert.pem', key: certificate.key } } },
  });
  const code = await daemon.waitForExit(90_000);
  t.not(code, 0);
  const said = daemon.logs.map((e) => JSON.stringify(e)).join('\n') + daemon.stderr.join('');
  t.regex(said, /HTTP_TLS_UNREADABLE/);
  t.regex(said, /http\.tls\.cert: cannot read \S*no-such-cert\.pem \(ENOENT\)/);
  // `config check` finds it before a start does.
  const check = await daemon.cli(['config', 'check']);
  t.is(check.status, 1);
  t.regex(check.stderr, /- http\.tls\.cert: cannot read \S*no-such-cert\.pem \(ENOENT\)\. \(HTTP_TLS_UNREADABLE\)/);
});
