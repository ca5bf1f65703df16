import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { readDaemonAddress } from '../../src/config/daemonAddress.ts';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig, type ConfigProblem } from '../../src/config/load.ts';
import { REDACTED, redactConfig, redactUrl } from '../../src/config/redact.ts';
import { runCli, tempFile } from '../support/tempDir.ts';

/** The problems loadConfig reports, sorted by key (their order is not part of the contract). */
function problemsOf(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems].sort((a, b) => a.key.localeCompare(b.key));
    throw error;
  }
  throw new Error('loadConfig succeeded but problems were expected');
}

const cli = runCli;

test('the defaults alone load and validate', (t) => {
  const { config, file, sources } = loadConfig({ env: {} });
  t.is(file, undefined);
  t.is(config.http.port, 8080);
  t.is(config.heartbeat.intervalMs, 300_000);
  t.is(config.database.url, '');
  t.is(config.database.embedded.password, '', 'generated per install, never a published default');
  t.is(config.logging.level, 'info');
  t.is(config.debug.faultInjection, false);
  t.deepEqual(new Set(sources.values()), new Set([DEFAULT_CONFIG_FILE]), 'every key comes from config/default.yaml');
});

test('a user file overrides the defaults, and sources name the file that set each key', (t) => {
  const path = tempFile(t, 'user.yaml', 'http:\n  port: 7000\nheartbeat:\n  intervalMs: 60000\n');
  const { config, file, sources } = loadConfig({ file: path, env: {} });
  t.is(file, path);
  t.is(config.http.port, 7000);
  t.is(config.heartbeat.intervalMs, 60_000);
  t.is(config.http.host, '127.0.0.1', 'keys the file does not name keep their defaults');
  t.is(sources.get('http.port'), path);
  t.is(sources.get('heartbeat.intervalMs'), path);
  t.is(sources.get('http.host'), DEFAULT_CONFIG_FILE);
  t.is(sources.get('database.url'), DEFAULT_CONFIG_FILE);
});

test('INVOICE_LOADER_CONFIG names the user file when no --config is given', (t) => {
  const path = tempFile(t, 'user.yaml', 'http:\n  port: 7001\n');
  const { config, file } = loadConfig({ env: { INVOICE_LOADER_CONFIG: path } });
  t.is(file, path);
  t.is(config.http.port, 7001);
});

test('environment variables override keys with `__` or `_` between levels and camelCase words, as numbers', (t) => {
  const { config, sources } = loadConfig({
    env: { INVOICE_LOADER_HTTP__PORT: '9090', INVOICE_LOADER_HEARTBEAT_INTERVAL_MS: '1000' },
  });
  t.is(config.http.port, 9090);
  t.is(config.heartbeat.intervalMs, 1000);
  t.is(sources.get('http.port'), 'environment INVOICE_LOADER_HTTP__PORT');
  t.is(sources.get('heartbeat.intervalMs'), 'environment INVOICE_LOADER_HEARTBEAT_INTERVAL_MS');
});

test('an environment variable for a boolean key is read as a boolean', (t) => {
  t.is(loadConfig({ env: { INVOICE_LOADER_DEBUG__FAULT_INJECTION: 'true' } }).config.debug.faultInjection, true);
  t.is(loadConfig({ env: { INVOICE_LOADER_HTTP_ENABLED: 'no' } }).config.http.enabled, false);
});

test('an environment variable beats the user file', (t) => {
  const path = tempFile(t, 'user.yaml', 'http:\n  port: 7000\n  host: 0.0.0.0\n');
  const { config, sources } = loadConfig({ file: path, env: { INVOICE_LOADER_HTTP__PORT: '9090' } });
  t.is(config.http.port, 9090);
  t.is(sources.get('http.port'), 'environment INVOICE_LOADER_HTTP__PORT');
  t.is(config.http.host, '0.0.0.0');
  t.is(sources.get('http.host'), path);
});

test('${ENV:NAME} in a value is replaced by the environment variable', (t) => {
  const path = tempFile(
    t,
    'user.yaml',
    'http:\n  token: ${ENV:LOADER_TOKEN}\ndatabase:\n  url: postgres://loader:${ENV:PGPASSWORD}@db:5432/invoices\n',
  );
  const { config } = loadConfig({ file: path, env: { LOADER_TOKEN: 'tok-123', PGPASSWORD: 'pw-456' } });
  t.is(config.http.token, 'tok-123');
  t.is(config.database.url, 'postgres://loader:pw-456@db:5432/invoices');
});

test('${ENV:NAME} naming an unset variable is a problem naming the key and the file', (t) => {
  const path = tempFile(t, 'user.yaml', 'http:\n  token: ${ENV:LOADER_TOKEN_UNSET}\n');
  t.deepEqual(
    problemsOf(() => loadConfig({ file: path, env: {} })),
    [
      {
        key: 'http.token',
        problem: 'refers to environment variable LOADER_TOKEN_UNSET, which is not set',
        source: path,
      },
    ],
  );
});

test('every fault is reported at once, each with its key and source', (t) => {
  const path = tempFile(
    t,
    'bad.yaml',
    'http:\n  port: "abc"\ndatabase:\n  poolSize: 500\nheartbeat:\n  intervalMS: 1000\n',
  );
  const error = t.throws(() => loadConfig({ file: path, env: { INVOICE_LOADER_NOPE: '1' } }), {
    instanceOf: ConfigError,
  });
  const problems = [...error.problems].sort((a, b) => a.key.localeCompare(b.key));
  t.deepEqual(
    problems.map(({ key, source }) => ({ key, source })),
    [
      { key: 'database.poolSize', source: path },
      { key: 'heartbeat.intervalMS', source: path },
      { key: 'http.port', source: path },
      { key: 'NOPE', source: 'environment INVOICE_LOADER_NOPE' },
    ],
  );
  t.is(problems[0]!.problem, 'too big: expected number to be <=100');
  t.is(problems[1]!.problem, 'is not a known setting (misspelt?)');
  t.is(problems[3]!.problem, 'does not name a config key');
  t.regex(error.message, /^The configuration has 4 problems:\n/);
  for (const p of problems) t.true(error.message.includes(`  - ${p.key}: ${p.problem} (${p.source})`));
});

// zod 4 leaves `input` out of its issues unless asked (reportInput), which once made every wrong type read as missing.
test('a value of the wrong type is reported as a type mismatch, not as missing', (t) => {
  const path = tempFile(t, 'bad.yaml', 'http:\n  port: "abc"\n');
  t.deepEqual(
    problemsOf(() => loadConfig({ file: path, env: {} })),
    [{ key: 'http.port', problem: 'invalid input: expected number, received string', source: path }],
  );
});

test('invalid YAML is a problem that names file:line:col', (t) => {
  const path = tempFile(t, 'broken.yaml', 'http:\n  port: [1, 2\n  host: x\n');
  const problems = problemsOf(() => loadConfig({ file: path, env: {} }));
  t.is(problems.length, 1);
  t.is(problems[0]!.key, '(yaml)');
  t.is(problems[0]!.source, `${path}:3:3`);
  t.regex(problems[0]!.problem, /^Flow sequence in block collection must be sufficiently indented/);
});

test('a --config file that does not exist is a problem', (t) => {
  const path = `${tempFile(t, 'present.yaml', '')}.missing`;
  t.deepEqual(
    problemsOf(() => loadConfig({ file: path, env: {} })),
    [{ key: '(file)', problem: `config file ${path} does not exist`, source: '--config' }],
  );
});

test('redactConfig hides secret values and URL passwords and leaves every other value', (t) => {
  const { config } = loadConfig({
    env: {
      INVOICE_LOADER_HTTP__TOKEN: 'tok-123',
      INVOICE_LOADER_DATABASE__EMBEDDED__PASSWORD: 'embedded-pw',
      INVOICE_LOADER_DATABASE__URL: 'postgres://loader:pw-456@db:5432/invoices',
    },
  });
  const redacted = redactConfig(config);
  t.deepEqual(redacted, {
    ...config,
    http: { ...config.http, token: REDACTED },
    database: {
      ...config.database,
      url: 'postgres://loader:[redacted]@db:5432/invoices',
      embedded: { ...config.database.embedded, password: REDACTED },
    },
  });
  t.is(redacted.http.tokenFile, './data/http-token');
  t.is(config.http.token, 'tok-123', 'the config itself is not changed');
});

test('redactConfig leaves an empty secret empty', (t) => {
  const { config } = loadConfig({ env: {} });
  t.is(redactConfig(config).http.token, '');
});

// pg (WHATWG URL parsing) splits user info at the last `@`, so an interpolated password may hold one.
test('redactConfig hides the whole URL password when it contains an @', (t) => {
  const { config } = loadConfig({ env: { INVOICE_LOADER_DATABASE__URL: 'postgres://loader:p@ss-word@db/invoices' } });
  t.is(redactConfig(config).database.url, 'postgres://loader:[redacted]@db/invoices');
});

test('redactUrl hides a password with an empty user name and a password query parameter', (t) => {
  t.is(redactUrl('postgres://:pw@h/db'), 'postgres://:[redacted]@h/db');
  t.is(redactUrl('postgres://h/db?sslmode=require&password=pw'), 'postgres://h/db?sslmode=require&password=[redacted]');
  t.is(redactUrl('postgres://user@h:5432/db'), 'postgres://user@h:5432/db');
  t.is(redactUrl('not a url'), 'not a url');
});

test('the daemon address read without the schema equals the validated http section, from every layer', (t) => {
  const path = tempFile(t, 'user.yaml', 'http:\n  port: 7000\n  host: 0.0.0.0\n  token: ${ENV:LOADER_TOKEN}\n');
  for (const options of [
    { env: {} },
    { file: path, env: { LOADER_TOKEN: 'tok-1' } },
    { file: path, env: { LOADER_TOKEN: 'tok-1', INVOICE_LOADER_HTTP__PORT: '9090' } },
  ]) {
    t.deepEqual(readDaemonAddress(options), loadConfig(options).config.http);
  }
});

test('the light daemon address gives up on anything the schema would refuse, so the full load explains it', (t) => {
  const cases = [
    'http:\n  port: "abc"\n',
    'http:\n  port: 70000\n',
    'http:\n  host: ""\n',
    'http:\n  prot: 8080\n',
    'http:\n  token: ${ENV:LOADER_TOKEN_UNSET}\n',
    'http: [\n',
  ];
  for (const [i, text] of cases.entries()) {
    const path = tempFile(t, `bad-${i}.yaml`, text);
    t.is(readDaemonAddress({ file: path, env: {} }), undefined, text);
    t.throws(() => loadConfig({ file: path, env: {} }), { instanceOf: ConfigError }, text);
  }
});

test('CLI: health with a bad config file names the problem and exits 1, like every command', async (t) => {
  const path = tempFile(t, 'bad.yaml', 'http:\n  port: "abc"\n');
  const result = await cli(['health', '--config', path]);
  t.is(result.status, 1);
  t.regex(result.stderr, /^The configuration has 1 problem:\n {2}- http\.port: /);
});

test('CLI: config check with a bad file exits 1 and names every faulty key', async (t) => {
  const path = tempFile(
    t,
    'bad.yaml',
    'http:\n  port: "abc"\ndatabase:\n  poolSize: 500\nheartbeat:\n  intervalMS: 1\n',
  );
  const result = await cli(['config', 'check', '--config', path]);
  t.is(result.status, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^The configuration has 3 problems:\n/);
  t.true(result.stderr.includes(`  - database.poolSize: too big: expected number to be <=100 (${path})`));
  t.true(result.stderr.split('\n').some((line) => line.startsWith('  - http.port: ') && line.endsWith(` (${path})`)));
  t.true(result.stderr.includes(`  - heartbeat.intervalMS: is not a known setting (misspelt?) (${path})`));
});

test('CLI: config check with a good file exits 0', async (t) => {
  const path = tempFile(t, 'good.yaml', 'http:\n  port: 7000\n');
  const result = await cli(['config', 'check', '--config', path]);
  t.is(result.stderr, '');
  t.is(result.stdout, `Configuration OK: defaults < ${path} < INVOICE_LOADER_* environment\n`);
  t.is(result.status, 0);
});

test('CLI: config check --print shows the effective config without secrets from ${ENV:…}', async (t) => {
  const secret = 'S3cret-from-env-7f2a';
  const path = tempFile(
    t,
    'secret.yaml',
    'http:\n  port: 7000\n  token: ${ENV:LOADER_TOKEN}\ndatabase:\n  url: postgres://loader:${ENV:LOADER_PGPW}@db/invoices\n',
  );
  const result = await cli(['config', 'check', '--config', path, '--print'], {
    LOADER_TOKEN: secret,
    LOADER_PGPW: secret,
  });
  t.is(result.status, 0);
  t.false(result.stdout.includes(secret));
  const [first, ...rest] = result.stdout.split('\n');
  t.is(first, `Configuration OK: defaults < ${path} < INVOICE_LOADER_* environment`);
  const printed = parseYaml(rest.join('\n')) as { http: Record<string, unknown>; database: Record<string, unknown> };
  t.is(printed.http.port, 7000);
  t.is(printed.http.token, REDACTED);
  t.is(printed.database.url, 'postgres://loader:[redacted]@db/invoices');
});
