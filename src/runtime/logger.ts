import { join, resolve } from 'node:path';
import pino, { type Logger, type TransportTargetOptions } from 'pino';
import type { Config } from '../config/schema.ts';
import { LOG_BASENAME, removeExpiredLogs } from './logFiles.ts';
import { makePrivateFolder, PRIVATE_FILE_MODE } from './privateFiles.ts';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line, wherever a caller puts them: the config's secret
 * keys (src/config/schema.ts secretKeyPattern), nodemailer's `auth.pass`, the OAuth2 fields,
 * and the credentials of an HTTP request or answer. A safety net: the code logs none of
 * them (test/daemon/secretsInLogs.test.ts searches a day of logs for every configured secret).
 */
const SECRET_FIELDS = [
  'password',
  'pass',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'apiKey',
  'passphrase',
  'authorization',
  'cookie',
];
const SECRET_HEADERS = ['authorization', 'cookie', '"set-cookie"', '"x-api-key"', '"x-csrf-token"'].map((h) =>
  h.startsWith('"') ? `[${h}]` : `.${h}`,
);
export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...SECRET_HEADERS.flatMap((header) => [`headers${header}`, `*.headers${header}`, `req.headers${header}`]),
];

export interface DaemonLogger {
  logger: Logger;
  /** Flushes and closes the file transport; resolves when lines are on disk. */
  close(): Promise<void>;
}

/**
 * The daemon's logger: JSON lines to rotating files (pino-roll: size and daily rotation,
 * a bounded number of files), pretty lines on a terminal, secrets redacted. Files older
 * than the retention are removed at start and once a day.
 */
export function createDaemonLogger(settings: Config['logging'], isTTY = process.stdout.isTTY === true): DaemonLogger {
  const dir = resolve(settings.dir);
  makePrivateFolder(dir);
  const targets: TransportTargetOptions[] = [
    {
      target: 'pino-roll',
      level: settings.level,
      options: {
        file: join(dir, LOG_BASENAME),
        extension: '.log',
        frequency: 'daily',
        dateFormat: 'yyyy-MM-dd',
        size: `${settings.maxSizeMb}m`,
        limit: { count: settings.files, removeOtherLogFiles: true },
        mkdir: true,
        // sonic-boom opens every file it rolls to with this mode.
        mode: PRIVATE_FILE_MODE,
      },
    },
  ];
  const consoleMode = settings.console === 'auto' ? (isTTY ? 'pretty' : 'off') : settings.console;
  if (consoleMode === 'pretty') {
    targets.push({
      target: 'pino-pretty',
      level: settings.level,
      options: { destination: 1, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' },
    });
  } else if (consoleMode === 'json') {
    targets.push({ target: 'pino/file', level: settings.level, options: { destination: 1 } });
  }
  const transport = pino.transport({ targets });
  const logger = pino(
    {
      level: settings.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
    },
    transport,
  );

  const expire = () => {
    const removed = removeExpiredLogs(dir, settings.retentionDays);
    if (removed.length)
      logger.info({ removed: removed.length, retention_days: settings.retentionDays }, 'old log files removed');
  };
  expire();
  const retentionTimer = setInterval(expire, 86_400_000).unref();

  let closing: Promise<void> | undefined;
  return {
    logger,
    close() {
      closing ??= new Promise<void>((done) => {
        clearInterval(retentionTimer);
        // Holds the event loop open until the transport has flushed (its worker is unref'd), and
        // never lets a stuck transport block exit for longer than 5 s.
        const finish = setTimeout(done, 5_000);
        logger.flush(() => {
          transport.once('close', () => {
            clearTimeout(finish);
            done();
          });
          transport.end();
        });
      });
      return closing;
    },
  };
}
