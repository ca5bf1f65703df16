import type { CommandModule } from 'yargs';
import { actorLabel, cliIdentity } from '../../auth/identity.ts';
import { listDeadLetters, replayAllDeadLetters, replayDeadLetter } from '../../db/deadLetters.ts';
import { LoaderError } from '../../errors.ts';
import { withCliDatabase } from '../cliDatabase.ts';
import { configOption, loadConfigOrExit } from '../configOption.ts';
import { plainTable, utcTime } from './invoices.ts';
import { exitOnFailure } from '../exitOnFailure.ts';

/**
 * `invoice-loader dlq list` and `dlq replay ID|--all`: the invoices whose posting to NEX gave
 * up, and sending them again. A replayed invoice is posted with a fresh retry budget, after
 * NEX has been asked whether an earlier attempt already reached it.
 */
const listCommand: CommandModule<object, { config?: string; json?: boolean }> = {
  command: 'list',
  describe: 'the dead letters: supplier, number, attempts and the last error',
  builder: (y) => y.options({ ...configOption, json: { type: 'boolean', describe: 'print them as JSON' } }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    await exitOnFailure(async () => {
      const letters = await withCliDatabase(config, (pool) => listDeadLetters(pool, 1000));
      if (argv.json) return console.log(JSON.stringify(letters, null, 2));
      if (letters.length === 0) return console.log('The dead-letter queue is empty.');
      const table = plainTable(['id', 'dead since (UTC)', 'supplier', 'number', 'gross', 'attempts', 'last error']);
      for (const l of letters) {
        table.push([
          l.id,
          utcTime(l.dead_since),
          l.supplier_name ?? l.supplier_ico ?? '',
          l.invoice_number ?? '',
          `${l.total_gross ?? ''} ${l.currency ?? ''}`.trim(),
          l.attempts,
          l.last_error ?? '',
        ]);
      }
      console.log(table.toString());
    });
  },
};

const replayCommand: CommandModule<object, { config?: string; id?: string; all?: boolean; as?: string }> = {
  command: 'replay [id]',
  describe: 'post a dead letter again (or every one with --all)',
  builder: (y) =>
    y.positional('id', { type: 'string', describe: 'the invoice id (from `dlq list`)' }).options({
      ...configOption,
      all: { type: 'boolean', describe: 'replay every dead letter' },
      as: { type: 'string', describe: 'a label recorded beside cli:<OS user> in the history' },
    }),
  handler: async (argv) => {
    const { config } = loadConfigOrExit(argv.config);
    const actor = actorLabel(cliIdentity(argv.as));
    await exitOnFailure(async () => {
      if (!argv.id === !argv.all) {
        throw new LoaderError('DLQ_REPLAY_TARGET', 'Name one invoice id or --all (not both).');
      }
      const replays = await withCliDatabase(config, (pool) =>
        argv.all ? replayAllDeadLetters(pool, actor) : replayDeadLetter(pool, argv.id!, actor).then((r) => [r]),
      );
      if (replays.length === 0) console.log('The dead-letter queue is empty; nothing to replay.');
      for (const replay of replays) console.log(replay.message);
    });
  },
};

export const dlqCommand: CommandModule = {
  command: 'dlq <command>',
  describe: 'the dead-letter queue: invoices whose posting to NEX gave up',
  builder: (y) => y.command(listCommand).command(replayCommand).demandCommand(1),
  handler: () => {},
};
