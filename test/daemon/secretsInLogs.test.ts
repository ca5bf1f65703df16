import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { createToken } from '../../src/auth/apiTokens.ts';
import { addPerson } from '../../src/auth/people.ts';
import { freePort } from '../../src/runtime/freePort.ts';
import { BIN, DaemonProcess, prepareDaemonFolder, disposeDaemon } from '../support/daemonProcess.ts';
import { imapIntake, startDovecot } from '../support/dovecot.ts';
import { selfSignedCertificate, waitForHttps } from '../support/certificates.ts';
import { buildUbl } from '../support/einvoices.ts';
import { buildMail } from '../support/mail.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { startNexSimulator } from '../support/nexSimulator.ts';
import { run, type RunResult } from '../support/run.ts';
import { SecretScan } from '../support/secretScan.ts';
import { startTestSmtp, type TestSmtp } from '../support/smtpServer.ts';
import { numberedInvoice, stageInvoice } from '../support/stagedInvoices.ts';
import { tcpProxy } from '../support/tcpProxy.ts';
import { until } from '../support/until.ts';

/**
 * Secrets never reach a log, a status file or a mail. The real daemon runs a working day in a
 * few minutes with every secret it can hold configured, each one distinctive: mail read over
 * IMAP, files dropped, uploads over HTTP, people signing in with right and wrong passwords,
 * posts to a NEX gateway that fails some of them, the database going away and back, a backup
 * and a restore drill, alert and report mails, config checks and an encrypted config backup.
 * Then it restarts with a wrong IMAP password and SMTP over OAuth2, so that the failures log
 * what they log. Every file the daemon's folder holds (but the config files, which hold the
 * secrets by design), every line it wrote to stdout, every CLI output and every mail received
 * is searched for each secret, as it is, URL-encoded and base64.
 */
const secret = (what: string) => `${what}-${randomBytes(9).toString('hex')}`;
const SECRETS = {
  // Characters a connection string must encode, so the URL-encoded form is a different needle.
  databasePassword: `${secret('db')}/p@ss:w0rd`,
  httpToken: secret('httptoken'),
  smtpPassword: secret('smtppass'),
  nexApiKey: secret('nexkey'),
  personPassword: secret('personpw'),
  wrongPassword: secret('wrongpw'),
  wrongImapPassword: secret('wrongimap'),
  wrongNexApiKey: secret('wrongnexkey'),
  imapAccessToken: secret('imapoauth'),
  tlsKeyPassphrase: secret('tlspass'),
  wrongTlsPassphrase: secret('wrongtlspass'),
  oauthClientSecret: secret('oauthsecret'),
  oauthRefreshToken: secret('oauthrefresh'),
  oauthAccessToken: secret('oauthaccess'),
  backupPassphrase: secret('backuppass'),
};
const CONFIG_FILES = new Set([
  'config.yaml',
  'config-restarted.yaml',
  'config-imap-oauth.yaml',
  'config-tls-wrong.yaml',
  'config-tls.yaml',
]);

const smtpServers: TestSmtp[] = [];
test.after.always(async () => {
  await Promise.all(smtpServers.map((server) => server.stop()));
});

test('a day of activity leaves no secret in any log, status file, CLI output or mail', async (t) => {
  t.timeout(600_000);
  const [dovecot, database, simulator] = await Promise.all([
    startDovecot(t),
    migratedDatabase(t),
    startNexSimulator({ apiKey: SECRETS.nexApiKey, seed: 15, faults: { error5xxRate: 0.3 } }),
  ]);
  t.teardown(() => simulator.close());
  const secrets = { ...SECRETS, imapPassword: dovecot.password };
  const smtp = await startTestSmtp({ user: 'loader', password: SECRETS.smtpPassword });
  smtpServers.push(smtp);

  // The database behind a proxy the test can cut, reached with a password in the URL (the
  // test server trusts local logins, so any password is accepted; the daemon still holds it).
  const proxyPort = await freePort();
  const target = new URL(database.url);
  const proxy = tcpProxy(proxyPort, target.hostname, Number(target.port || 5432));
  await proxy.open();
  t.teardown(() => proxy.close());
  const databaseUrl = `postgres://${target.username || 'postgres'}:${encodeURIComponent(SECRETS.databasePassword)}@127.0.0.1:${proxyPort}${target.pathname}`;

  await addPerson(database.pool, { name: 'jana', role: 'approver', password: SECRETS.personPassword });
  const personToken = (await createToken(database.pool, { label: 'jana-laptop', person: 'jana' })).token;
  Object.assign(secrets, { personToken });
  const staged: string[] = [];
  for (let n = 1; n <= 6; n++) staged.push(await stageInvoice(database.pool, numberedInvoice(100 + n)));

  const alerts = {
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'loader', password: SECRETS.smtpPassword },
    from: 'loader@customer.test',
    to: ['it@customer.test'],
    groupWaitMs: 200,
    evaluateMs: 100,
    retry: { minMs: 200, maxMs: 1_000 },
  };
  const imap = {
    ...imapIntake(dovecot),
    reconnect: { minMs: 200, maxMs: 1_000, jitter: 0 },
  };
  const config = {
    database: { url: databaseUrl },
    http: { token: SECRETS.httpToken },
    intake: { dropFolder: { pollMs: 200, stableMs: 200 }, imap },
    pipeline: { pollMs: 200 },
    nex: {
      mode: 'api',
      url: simulator.url,
      apiKey: SECRETS.nexApiKey,
      pollMs: 200,
      timeoutMs: 2_000,
      retry: { maxAttempts: 30, maxRetryTimeMs: 120_000, minMs: 50, maxMs: 300 },
      breaker: { volumeThreshold: 1_000 },
    },
    alerts,
    monitor: { intervalMs: 1_000 },
    heartbeat: { intervalMs: 500 },
    logging: { level: 'debug' },
  };
  const { dir, configFile, port } = await prepareDaemonFolder({ databaseUrl, config });
  const cliOutputs: Array<[string, RunResult]> = [];
  const cli = async (args: string[], env: NodeJS.ProcessEnv = {}, file = configFile) => {
    const result = await run(process.execPath, [BIN, ...args, '--config', file], {
      cwd: dir,
      env: { ...process.env, ...env },
    });
    cliOutputs.push([args.join(' '), result]);
    return result;
  };
  const daemons: DaemonProcess[] = [];
  t.teardown(async () => {
    for (const daemon of daemons.slice(0, -1)) if (daemon.running) daemon.signal('SIGKILL');
    if (daemons.length) await disposeDaemon(daemons.at(-1)!);
  });
  const asToken = (token: string | null) => ({ token });

  // Morning: the daemon starts and mails that it did.
  const daemon = new DaemonProcess(dir, configFile, port, {});
  daemons.push(daemon);
  await daemon.waitForStatus('/health/ready', 200);
  await until('the start mail', () => smtp.received.find((m) => /spustila/.test(m.parsed.text ?? '')));

  // Intake on every channel.
  await dovecot.append(
    await buildMail({
      subject: 'Faktúra 201',
      attachments: [{ filename: 'f201.xml', content: Buffer.from(buildUbl(numberedInvoice(201))) }],
    }),
  );
  mkdirSync(join(dir, 'inbox'), { recursive: true });
  writeFileSync(join(dir, 'inbox', 'f202.xml'), buildUbl(numberedInvoice(202)));
  const json = await daemon.request('/api/invoices', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      file_b64: Buffer.from(buildUbl(numberedInvoice(203))).toString('base64'),
      filename: 'f203.xml',
    }),
    ...asToken(SECRETS.httpToken),
  });
  t.is(json.status, 201);
  const form = new FormData();
  form.append('file', new Blob([buildUbl(numberedInvoice(204))], { type: 'application/xml' }), 'f204.xml');
  t.is((await daemon.request('/invoice', { method: 'POST', body: form, ...asToken(personToken) })).status, 201);
  t.is((await daemon.request('/api/invoices', asToken('not-the-token'))).status, 401);
  await daemon.waitForLog((e) => e.channel === 'email' && e.msg === 'document received', 60_000);
  await daemon.waitForLog((e) => e.channel === 'drop_folder' && e.msg === 'document received', 30_000);

  // People sign in: twice with a wrong password, then with the right one (JSON and the form).
  const signIn = (password: string, asForm = false) =>
    daemon.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: asForm
        ? new URLSearchParams({ name: 'jana', password }).toString()
        : JSON.stringify({ name: 'jana', password }),
      redirect: 'manual',
      ...asToken(null),
    });
  t.is((await signIn(SECRETS.wrongPassword)).status, 401);
  t.is((await signIn(SECRETS.wrongPassword, true)).status, 303);
  const signedIn = await signIn(SECRETS.personPassword);
  t.is(signedIn.status, 200);
  const cookie = signedIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  t.is((await daemon.request('/api/me', { headers: { cookie }, ...asToken(null) })).status, 200);

  // The gateway fails a third of the calls; every staged invoice is posted all the same.
  await until(
    'the staged invoices posted',
    async () => {
      const { rows } = await database.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM invoices WHERE id = ANY($1) AND status = 'posted'",
        [staged],
      );
      return rows[0]!.n === staged.length ? true : undefined;
    },
    { timeoutMs: 120_000 },
  );
  t.true(simulator.requestCount('import', 'server_error') >= 1, 'the gateway failed some posts');

  // The database goes away for a while and comes back.
  const mark = daemon.logs.length;
  await proxy.close();
  await daemon.waitForLog((e) => e.code === 'DB_UNAVAILABLE', 30_000, mark);
  await proxy.open();
  await daemon.waitForStatus('/health/ready', 200);

  // The evening's chores from the command line.
  const backup = await cli(['backup', 'run']);
  t.is(backup.status, 0, backup.stderr);
  const dumps = readdirSync(join(dir, 'backups'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.dump'),
  );
  t.is(dumps.length, 1);
  const drill = await cli(['backup', 'verify', join(dir, 'backups', dumps[0]!), '--drill']);
  t.is(drill.status, 0, drill.stderr);
  for (const args of [['config', 'check'], ['config', 'check', '--print'], ['health'], ['inspect', '--json']]) {
    const result = await cli(args);
    t.is(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
  }
  const sealed = await cli(['config', 'backup', '--out', join(dir, 'backups', 'config.ilcb')], {
    INVOICE_LOADER_BACKUP_PASSPHRASE: SECRETS.backupPassphrase,
  });
  t.is(sealed.status, 0, sealed.stderr);
  const alertTest = await cli(['alerts', 'test', '--as', 'night shift']);
  t.is(alertTest.status, 0, alertTest.stderr);
  const report = await cli(['reports', 'send', 'daily']);
  t.is(report.status, 0, report.stderr);
  daemon.signal('SIGTERM');
  t.is(await daemon.waitForExit(60_000), 0);

  // Next morning: a wrong IMAP password, a wrong NEX key (the gateway answers 401 to an
  // approved invoice), and SMTP through OAuth2 (Microsoft 365).
  const refusedByNex = await stageInvoice(database.pool, numberedInvoice(300));
  const oauthSmtp = await startTestSmtp({ user: 'loader', password: '', xoauth2Token: SECRETS.oauthAccessToken });
  smtpServers.push(oauthSmtp);
  const restartedFile = join(dir, 'config-restarted.yaml');
  writeFileSync(
    restartedFile,
    stringify({
      ...config,
      http: { ...config.http, port },
      logging: { dir: './logs', console: 'json', level: 'debug' },
      intake: { ...config.intake, imap: { ...imap, password: SECRETS.wrongImapPassword } },
      nex: { ...config.nex, apiKey: SECRETS.wrongNexApiKey },
      alerts: {
        ...alerts,
        smtp: {
          ...alerts.smtp,
          port: oauthSmtp.port,
          password: '',
          oauth2: {
            clientId: 'invoice-loader',
            clientSecret: SECRETS.oauthClientSecret,
            refreshToken: SECRETS.oauthRefreshToken,
            accessUrl: '',
            accessToken: SECRETS.oauthAccessToken,
          },
        },
      },
    }),
  );
  const restarted = new DaemonProcess(dir, restartedFile, port, {});
  daemons.push(restarted);
  await restarted.waitForStatus('/health/ready', 200);
  await restarted.waitForLog((e) => e.code === 'IMAP_UNAVAILABLE' && /refused the login/.test(e.msg), 60_000);
  const unauthorized = await restarted.waitForLog((e) => JSON.stringify(e).includes('NEX_UNAUTHORIZED'), 60_000);
  t.is(unauthorized.invoice ?? refusedByNex, refusedByNex);
  await until('the start mail over OAuth2', () => oauthSmtp.received.find((m) => /spustila/.test(m.parsed.text ?? '')));
  const oauthTest = await cli(['alerts', 'test'], {}, restartedFile);
  t.is(oauthTest.status, 0, oauthTest.stderr);
  restarted.signal('SIGTERM');
  t.is(await restarted.waitForExit(60_000), 0);

  // An IMAP login with an OAuth2 access token, which this server does not take.
  const imapOauthFile = join(dir, 'config-imap-oauth.yaml');
  const restartedConfig = parse(readFileSync(restartedFile, 'utf8')) as typeof config;
  writeFileSync(
    imapOauthFile,
    stringify({
      ...restartedConfig,
      intake: { ...restartedConfig.intake, imap: { ...imap, password: '', accessToken: SECRETS.imapAccessToken } },
    }),
  );
  const oauthImap = new DaemonProcess(dir, imapOauthFile, port, {});
  daemons.push(oauthImap);
  await oauthImap.waitForStatus('/health/ready', 200);
  await oauthImap.waitForLog((e) => e.code === 'IMAP_UNAVAILABLE', 60_000);
  oauthImap.signal('SIGTERM');
  t.is(await oauthImap.waitForExit(60_000), 0);

  // HTTPS with an encrypted key: first a wrong passphrase (the start fails and says why), then the right one.
  const certificate = await selfSignedCertificate(t, { passphrase: SECRETS.tlsKeyPassphrase });
  const withTls = (name: string, passphrase: string) => {
    const file = join(dir, name);
    const tls = { cert: certificate.cert, key: certificate.key, passphrase };
    writeFileSync(file, stringify({ ...restartedConfig, http: { ...restartedConfig.http, tls } }));
    return file;
  };
  const wrongTls = new DaemonProcess(dir, withTls('config-tls-wrong.yaml', SECRETS.wrongTlsPassphrase), port, {});
  daemons.push(wrongTls);
  t.not(await wrongTls.waitForExit(60_000), 0);
  t.regex(JSON.stringify(wrongTls.logs) + wrongTls.stderr.join(''), /http\.tls\.passphrase does not open/);
  const tlsFile = withTls('config-tls.yaml', SECRETS.tlsKeyPassphrase);
  const overTls = new DaemonProcess(dir, tlsFile, port, {});
  daemons.push(overTls);
  await waitForHttps(overTls, certificate.certPem);
  const healthOverTls = await cli(['health'], {}, tlsFile);
  t.is(healthOverTls.status, 0, healthOverTls.stderr);
  overTls.signal('SIGTERM');
  t.is(await overTls.waitForExit(60_000), 0);

  // Now look everywhere.
  const scan = new SecretScan(secrets);
  const files = scan.scanFolder(dir, (path) => CONFIG_FILES.has(path));
  for (const [index, running] of daemons.entries()) {
    scan.scanText(JSON.stringify(running.logs), `stdout of daemon ${index + 1}`);
    scan.scanText(running.stderr.join(''), `stderr of daemon ${index + 1}`);
  }
  for (const [args, result] of cliOutputs)
    scan.scanText(`${result.stdout}\n${result.stderr}`, `invoice-loader ${args}`);
  const mails = [...smtp.received, ...oauthSmtp.received];
  for (const [index, mail] of mails.entries()) {
    const { parsed } = mail;
    const headers = parsed.headerLines.map((h) => h.line).join('\n');
    const attachments = parsed.attachments.map((a) => a.content.toString('utf8')).join('\n');
    scan.scanText(
      [headers, parsed.subject, parsed.text, parsed.html || '', attachments].join('\n'),
      `mail ${index + 1} "${parsed.subject}"`,
    );
  }

  // The scan looked where the secrets could have gone, and finds them where they are.
  const control = new SecretScan(secrets);
  control.scanFolder(dir, (path) => !CONFIG_FILES.has(path));
  t.deepEqual(
    [...new Set(control.findings.map((f) => f.secret))].sort(),
    Object.keys(secrets)
      .filter((label) => !['wrongPassword', 'personPassword', 'personToken', 'backupPassphrase'].includes(label))
      .sort(),
    'the config files hold the configured secrets, and the scan sees them there',
  );
  t.log(`files searched: ${files.join(', ')}`);
  t.true(
    files.some((f) => f.startsWith('logs/') && f.endsWith('.log')),
    `log files: ${files.join(', ')}`,
  );
  t.true(files.includes('logs/health_status.json'), 'the status file');
  t.true(files.some((f) => f.endsWith('.dump')) && files.includes('backups/config.ilcb'), 'the backups');
  t.true(mails.length >= 5, `${mails.length} mails`);
  t.log(
    `searched ${scan.secretCount} secrets (3 forms each) in ${scan.totals.files} files (${scan.totals.bytes} bytes) ` +
      `and ${scan.totals.texts} outputs and mails (${scan.totals.textBytes} bytes): ${daemons.length} daemon runs, ` +
      `${cliOutputs.length} CLI runs, ${mails.length} mails`,
  );
  t.deepEqual(
    scan.findings.map((f) => `${f.secret} (${f.form}) in ${f.where}`),
    [],
  );
});
