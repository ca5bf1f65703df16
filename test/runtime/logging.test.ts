import test from 'ava';
import { appendFileSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createDaemonLogger } from '../../src/runtime/logger.ts';
import { listLogFiles, removeExpiredLogs } from '../../src/runtime/logFiles.ts';
import { groupErrors, NO_CODE } from '../../src/cli/logErrors.ts';
import { logLines, parseDuration, passes } from '../../src/cli/logTail.ts';
import type { Config } from '../../src/config/schema.ts';
import { run } from '../support/run.ts';
import { cleanEnv, tempDir } from '../support/tempDir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;

function logSettings(dir: string, overrides: Partial<Config['logging']> = {}): Config['logging'] {
  return { dir, level: 'info', maxSizeMb: 10, files: 5, retentionDays: 30, console: 'off', ...overrides };
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `probe` until it returns a truthy value, and returns that; fails after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => T, timeoutMs = 5_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) result.push(line);
  return result;
}

test('the daemon logger writes JSON lines with an ISO time, secrets redacted, on disk when close() resolves', async (t) => {
  const dir = tempDir(t);
  const { logger, close } = createDaemonLogger(logSettings(dir), false);
  logger.info({ password: 'pw-1', token: 'tok-2', supplier: { apiKey: 'key-3', name: 'ACME' } }, 'connected');
  logger.debug('below the level');
  logger.warn({ attempt: 2 }, 'slow');
  await close();

  const files = listLogFiles(dir);
  t.is(files.length, 1);
  t.regex(basename(files[0]!.path), /^invoice-loader\.\d{4}-\d{2}-\d{2}\.1\.log$/);
  const [first, second, ...rest] = readLines(files[0]!.path).map((line) => JSON.parse(line) as Record<string, unknown>);
  t.deepEqual(rest, []);
  t.regex(first!.time as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  t.deepEqual(first, {
    level: 30,
    time: first!.time,
    pid: process.pid,
    password: '[redacted]',
    token: '[redacted]',
    supplier: { apiKey: '[redacted]', name: 'ACME' },
    msg: 'connected',
  });
  t.deepEqual(second, { level: 40, time: second!.time, pid: process.pid, attempt: 2, msg: 'slow' });
});

test('files rotate at maxSizeMb and at most `files` rotated files plus the active one remain', async (t) => {
  const dir = tempDir(t);
  const files = 2;
  const { logger, close } = createDaemonLogger(logSettings(dir, { maxSizeMb: 0.002, files }), false);
  const newest = () => listLogFiles(dir).slice(-2);
  const written = (n: number) => newest().some((f) => readFileSync(f.path, 'utf8').includes(`"msg":"line ${n}"`));
  // pino-roll rotates only when its buffer drains, so write in batches and let each reach the disk.
  for (let i = 0; i < 300; i++) {
    logger.info({ i, padding: 'x'.repeat(40) }, `line ${i}`);
    if (i % 10 === 9) await waitFor(`line ${i} on disk`, () => written(i));
  }
  await close();

  const remaining = await waitFor(`at most ${files + 1} log files`, () => {
    const list = listLogFiles(dir);
    return list.length <= files + 1 && list;
  });
  const numbers = remaining.map((f) => f.number);
  const last = numbers.at(-1)!;
  t.true(last > files + 1, `rotated to file ${last}, so older files had to be removed`);
  t.deepEqual(numbers, [last - 2, last - 1, last].slice(3 - remaining.length), 'the newest files are kept');
  t.deepEqual(readdirSync(dir).sort(), remaining.map((f) => basename(f.path)).sort());
  const kept = remaining.flatMap((f) => readLines(f.path)).map((line) => (JSON.parse(line) as { msg: string }).msg);
  t.is(kept.at(-1), 'line 299');
  t.false(kept.includes('line 0'));
});

test('removeExpiredLogs deletes only log files last written before the retention', (t) => {
  const dir = tempDir(t);
  const now = Date.parse('2026-11-21T12:00:00.000Z');
  const age = (name: string, days: number) => {
    const path = join(dir, name);
    writeFileSync(path, '{}\n');
    const at = (now - days * DAY) / 1000;
    utimesSync(path, at, at);
    return path;
  };
  const expired = age('invoice-loader.2026-10-01.1.log', 31);
  age('invoice-loader.2026-10-23.1.log', 29);
  age('invoice-loader.2026-11-21.1.log', 0);
  age('invoice-loader.log', 60);
  age('notes.txt', 60);
  age('other.2026-10-01.1.log', 60);

  t.deepEqual(removeExpiredLogs(dir, 30, now), [expired]);
  t.deepEqual(readdirSync(dir).sort(), [
    'invoice-loader.2026-10-23.1.log',
    'invoice-loader.2026-11-21.1.log',
    'invoice-loader.log',
    'notes.txt',
    'other.2026-10-01.1.log',
  ]);
});

test('logLines without follow reads every file once, in rotation order', async (t) => {
  const dir = tempDir(t);
  // Written out of order, and with a number that sorts wrong as text.
  writeFileSync(join(dir, 'invoice-loader.2026-11-21.1.log'), 'd1\n');
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.10.log'), 'c1\nc2\n');
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.2.log'), 'b1\n\nb2\n');
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.1.log'), 'a1\na2\n');
  writeFileSync(join(dir, 'unrelated.log'), 'x\n');
  t.deepEqual(await collect(logLines(dir, { follow: false })), ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1']);
});

test('logLines without follow yields a last line that has no newline', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.1.log'), 'a1\na2');
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.2.log'), 'b1\nb2');
  t.deepEqual(await collect(logLines(dir, { follow: false })), ['a1', 'a2', 'b1', 'b2']);
});

test('logLines with follow picks up appended lines and the next file after a rotation', async (t) => {
  const dir = tempDir(t);
  const first = join(dir, 'invoice-loader.2026-11-20.1.log');
  writeFileSync(first, 'a1\na2\n');
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const seen: string[] = [];
  const reading = collectInto(seen, logLines(dir, { follow: true, pollMs: 10, signal: controller.signal }));

  await waitFor('the existing lines', () => seen.length === 2);
  appendFileSync(first, 'a3\n');
  await waitFor('the appended line', () => seen.length === 3);
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.2.log'), 'b1\n');
  await waitFor('the line of the next file', () => seen.length === 4);
  appendFileSync(first, 'late\n');
  appendFileSync(join(dir, 'invoice-loader.2026-11-20.2.log'), 'b2\n');
  await waitFor('the appended line of the next file', () => seen.length >= 5);
  controller.abort();
  await waitFor('the generator to end after abort', () => reading.ended);

  t.deepEqual(seen, ['a1', 'a2', 'a3', 'b1', 'b2'], 'the rotated-away file is not read again');
});

test('logLines with follow yields a line written in two pieces once, whole', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'invoice-loader.2026-11-20.1.log');
  writeFileSync(file, 'first\n{"msg":');
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const seen: string[] = [];
  const reading = collectInto(seen, logLines(dir, { follow: true, pollMs: 10, signal: controller.signal }));

  await waitFor('the first line', () => seen.length === 1);
  appendFileSync(file, '"second"}\n');
  await waitFor('the completed line', () => seen.length === 2);
  controller.abort();
  await waitFor('the generator to end after abort', () => reading.ended);
  t.deepEqual(seen, ['first', '{"msg":"second"}']);
});

function collectInto(into: string[], lines: AsyncIterable<string>): { ended: boolean } {
  const state = { ended: false };
  void (async () => {
    for await (const line of lines) into.push(line);
    state.ended = true;
  })();
  return state;
}

test('passes() with a level keeps lines at or above it', (t) => {
  t.true(passes({ level: 40 }, { level: 'warn' }));
  t.true(passes({ level: 60 }, { level: 'warn' }));
  t.false(passes({ level: 30 }, { level: 'warn' }));
  t.false(passes({ level: 10 }, { level: 'debug' }));
  t.true(passes({ level: 10 }, {}));
});

test('passes() with heartbeat keeps only heartbeat lines', (t) => {
  t.true(passes({ level: 30, msg: 'heartbeat' }, { heartbeat: true }));
  t.false(passes({ level: 30, msg: 'invoice loaded' }, { heartbeat: true }));
  t.true(passes({ level: 30, msg: 'invoice loaded' }, { heartbeat: false }));
});

test('passes() with since keeps lines no older than the duration', (t) => {
  const now = Date.parse('2026-11-21T12:00:00.000Z');
  const sinceMs = 2 * 3_600_000;
  t.true(passes({ time: '2026-11-21T10:00:00.000Z' }, { sinceMs }, now));
  t.true(passes({ time: '2026-11-21T11:59:00.000Z' }, { sinceMs }, now));
  t.false(passes({ time: '2026-11-21T09:59:59.999Z' }, { sinceMs }, now));
  t.true(passes({ time: now - 1000 }, { sinceMs }, now), 'epoch milliseconds');
  t.false(passes({ time: now - sinceMs - 1 }, { sinceMs }, now));
  t.false(passes({ msg: 'no time' }, { sinceMs }, now));
});

test('parseDuration reads ms, s, m, h and d', (t) => {
  t.is(parseDuration('90s'), 90_000);
  t.is(parseDuration('2h'), 7_200_000);
  t.is(parseDuration('7d'), 604_800_000);
  t.is(parseDuration('15m'), 900_000);
  t.is(parseDuration('250ms'), 250);
  t.is(parseDuration('1.5h'), 5_400_000);
  t.is(parseDuration(' 2 h '), 7_200_000);
});

test('parseDuration rejects what is not a duration', (t) => {
  for (const text of ['soon', '90', '2 hours', 'h', '-2h', ''])
    t.throws(() => parseDuration(text), { message: `"${text}" is not a duration like 90s, 15m, 2h or 7d` }, text);
});

test('CLI: logs --level warn --json prints only the warn and error lines, across files', async (t) => {
  const dir = tempDir(t);
  const line = (level: number, msg: string) => JSON.stringify({ level, time: '2026-11-20T08:00:00.000Z', pid: 1, msg });
  const warn = line(40, 'database slow');
  const error = line(50, 'mail fetch failed');
  writeFileSync(
    join(dir, 'invoice-loader.2026-11-20.1.log'),
    [line(30, 'started'), warn, line(20, 'detail')].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'invoice-loader.2026-11-20.2.log'), [line(30, 'heartbeat'), error].join('\n') + '\n');
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, `logging:\n  dir: ${JSON.stringify(dir)}\n`);

  const result = await run(
    process.execPath,
    ['bin/invoice-loader.js', 'logs', '--level', 'warn', '--json', '--config', config],
    { cwd: ROOT, env: cleanEnv() },
  );
  t.is(result.stderr, '');
  t.is(result.stdout, `${warn}\n${error}\n`);
  t.is(result.status, 0);
});

test('groupErrors folds error lines by code and actor, with counts and first/last time', (t) => {
  const at = (minute: number) => `2026-11-20T08:${String(minute).padStart(2, '0')}:00.000Z`;
  const groups = groupErrors([
    { level: 50, time: at(5), code: 'NEX_UNREACHABLE', actor: 'nexWriter', msg: 'gateway down' },
    { level: 30, time: at(6), code: 'NEX_UNREACHABLE', actor: 'nexWriter', msg: 'not an error line' },
    { level: 50, time: at(1), code: 'NEX_UNREACHABLE', actor: 'nexWriter', msg: 'gateway refused' },
    { level: 60, time: Date.parse(at(9)), code: 'NEX_UNREACHABLE', actor: 'nexWriter', msg: 'still down' },
    { level: 50, time: at(3), supervisor: 'intake', code: 'SUPERVISOR_GAVE_UP', msg: 'gave up' },
    { level: 50, time: at(4), child: 'mailbox-main', err: { code: 'IMAP_AUTH', type: 'Error' }, msg: 'login' },
    { level: 50, time: at(7), msg: 'something without a code' },
  ]);
  t.deepEqual(
    groups.map((g) => [g.code, g.actor, g.count, g.first, g.last, g.lastMessage]),
    [
      ['NEX_UNREACHABLE', 'nexWriter', 3, at(1), at(9), 'still down'],
      [NO_CODE, '-', 1, at(7), at(7), 'something without a code'],
      ['IMAP_AUTH', 'mailbox-main', 1, at(4), at(4), 'login'],
      ['SUPERVISOR_GAVE_UP', 'intake', 1, at(3), at(3), 'gave up'],
    ],
  );
});

test('CLI: logs errors --since groups the recent error lines across files, and says so when there are none', async (t) => {
  const dir = tempDir(t);
  const now = Date.now();
  const line = (level: number, agoMs: number, extra: object) =>
    JSON.stringify({ level, time: new Date(now - agoMs).toISOString(), pid: 1, ...extra });
  writeFileSync(
    join(dir, 'invoice-loader.2026-11-20.1.log'),
    [
      line(50, 3 * DAY, { code: 'BACKUP_FAILED', job: 'backup', msg: 'too old to count' }),
      line(50, 2 * 3_600_000, { code: 'BACKUP_FAILED', job: 'backup', msg: 'pg_dump missing' }),
      line(40, 3_600_000, { code: 'DB_SLOW', msg: 'a warning, not an error' }),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'invoice-loader.2026-11-20.2.log'),
    [line(50, 60_000, { code: 'BACKUP_FAILED', job: 'backup', msg: 'pg_dump still missing' })].join('\n') + '\n',
  );
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, `logging:\n  dir: ${JSON.stringify(dir)}\n`);
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/invoice-loader.js', 'logs', 'errors', ...args, '--config', config], {
      cwd: ROOT,
      env: cleanEnv(),
    });

  const json = await cli('--json');
  t.is(json.status, 0, json.stderr);
  const groups = JSON.parse(json.stdout) as Array<{ code: string; actor: string; count: number; lastMessage: string }>;
  t.deepEqual(
    groups.map((g) => [g.code, g.actor, g.count, g.lastMessage]),
    [['BACKUP_FAILED', 'backup', 2, 'pg_dump still missing']],
  );

  const table = await cli('--since', '4d');
  t.is(table.status, 0, table.stderr);
  t.regex(table.stdout, /BACKUP_FAILED\s.*\bbackup\s.*\b3\b/);

  const quiet = await cli('--since', '30s');
  t.is(quiet.stdout, 'Žiadne chyby za posledných 30s. / No errors in the last 30s.\n');

  const wrong = await cli('--since', 'soon');
  t.is(wrong.status, 1);
  t.regex(wrong.stderr, /"soon" is not a duration/);
});
