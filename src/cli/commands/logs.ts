import { resolve } from 'node:path';
import { prettyFactory } from 'pino-pretty';
import type { CommandModule } from 'yargs';
import { errorMessage } from '../../errors.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { groupErrors, type ErrorGroup } from '../logErrors.ts';
import { logLines, parseDuration, passes } from '../logTail.ts';
import { FittingTable } from '../tableLayout.ts';

export const logsCommand: CommandModule<
  object,
  {
    config?: string;
    view?: string;
    follow?: boolean;
    heartbeat?: boolean;
    level?: string;
    since?: string;
    json?: boolean;
  }
> = {
  command: 'logs [view]',
  describe:
    "pretty-print the daemon's JSON log files (works while it writes, across rotation); `logs errors`: errors by code and actor",
  builder: (y) =>
    y
      .positional('view', {
        type: 'string',
        choices: ['errors'],
        describe: 'errors: the error lines grouped by code and actor, with counts and first/last time',
      })
      .options({
        ...configOption,
        follow: { alias: 'f', type: 'boolean', describe: 'keep printing new lines' },
        heartbeat: { type: 'boolean', describe: 'only heartbeat lines' },
        level: {
          type: 'string',
          choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
          describe: 'minimum level',
        },
        since: {
          type: 'string',
          describe: 'only lines newer than this, e.g. 90s, 15m, 2h, 7d (`logs errors`: 24h unless given)',
        },
        json: { type: 'boolean', describe: 'print the raw JSON lines' },
      }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    const since = argv.since ?? (argv.view === 'errors' ? '24h' : undefined);
    let sinceMs: number | undefined;
    try {
      sinceMs = since === undefined ? undefined : parseDuration(since);
    } catch (error) {
      console.error(errorMessage(error));
      process.exitCode = 1;
      return;
    }
    if (argv.view === 'errors') return printErrorGroups(resolve(config.logging.dir), since!, sinceMs!, argv.json);
    const filter = { level: argv.level, heartbeat: argv.heartbeat, sinceMs };
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

async function printErrorGroups(dir: string, since: string, sinceMs: number, json?: boolean): Promise<void> {
  const entries: Record<string, unknown>[] = [];
  for await (const line of logLines(dir, { follow: false })) {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (passes(entry, { level: 'error', sinceMs })) entries.push(entry);
    } catch {
      // a torn last line while the daemon writes: not an error line to count
    }
  }
  const groups = groupErrors(entries);
  if (json) {
    process.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
    return;
  }
  if (groups.length === 0) {
    process.stdout.write(`Žiadne chyby za posledných ${since}. / No errors in the last ${since}.\n`);
    return;
  }
  const table = new FittingTable(['code', 'actor', 'count', 'first', 'last', 'last message'], { keep: ['code'] });
  table.push(...groups.map((g: ErrorGroup) => [g.code, g.actor, String(g.count), g.first, g.last, g.lastMessage]));
  process.stdout.write(`${table.toString()}\n`);
}
