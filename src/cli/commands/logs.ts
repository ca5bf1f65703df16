import { resolve } from 'node:path';
import { prettyFactory } from 'pino-pretty';
import type { CommandModule } from 'yargs';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { logLines, parseDuration, passes } from '../logTail.ts';

export const logsCommand: CommandModule<
  object,
  { config?: string; follow?: boolean; heartbeat?: boolean; level?: string; since?: string; json?: boolean }
> = {
  command: 'logs',
  describe: "pretty-print the daemon's JSON log files (works while it writes, across rotation)",
  builder: (y) =>
    y.options({
      ...configOption,
      follow: { alias: 'f', type: 'boolean', describe: 'keep printing new lines' },
      heartbeat: { type: 'boolean', describe: 'only heartbeat lines' },
      level: {
        type: 'string',
        choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
        describe: 'minimum level',
      },
      since: { type: 'string', describe: 'only lines newer than this, e.g. 90s, 15m, 2h, 7d' },
      json: { type: 'boolean', describe: 'print the raw JSON lines' },
    }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    const filter = {
      level: argv.level,
      heartbeat: argv.heartbeat,
      sinceMs: argv.since ? parseDuration(argv.since) : undefined,
    };
    const pretty = prettyFactory({
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
      ignore: 'pid,hostname',
    });
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    for await (const line of logLines(resolve(config.logging.dir), {
      follow: argv.follow === true,
      signal: controller.signal,
    })) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stdout.write(`${line}\n`);
        continue;
      }
      if (!passes(entry, filter)) continue;
      process.stdout.write(argv.json ? `${line}\n` : pretty(entry));
    }
  },
};
