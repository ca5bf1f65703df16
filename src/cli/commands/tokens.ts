import type { CommandModule } from 'yargs';
import { createToken, listTokens, revokeToken } from '../../auth/apiTokens.ts';
import { INTEGRATION_ROLES } from '../../auth/roles.ts';
import { LoaderError } from '../../errors.ts';
import { runDatabaseCommand } from '../cliDatabase.ts';
import { configOption } from '../configOption.ts';
import { plainTable, utcTime } from './invoices.ts';

/**
 * `invoice-loader tokens create|list|revoke`: tokens for scripts and integrations. A token
 * either acts as a person (--user, with that person's role as it is at each request) or is an
 * integration token that belongs to nobody (--role viewer|operator; it can never approve).
 * The token is printed once, alone on the last line, so `| tail -n1` captures it.
 */

const createCommand: CommandModule<object, { config?: string; name: string; user?: string; role?: string }> = {
  command: 'create',
  describe: 'create a token (printed once: the last line of the output is the token alone)',
  builder: (y) =>
    y.options({
      ...configOption,
      name: { type: 'string', demandOption: true, describe: 'a label for the token, e.g. n8n or backup-script' },
      user: { type: 'string', describe: 'the person the token acts as (with their role)' },
      role: { type: 'string', choices: INTEGRATION_ROLES, describe: 'for a token that belongs to nobody' },
    }),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      if (!argv.user === !argv.role) {
        throw new LoaderError(
          'TOKEN_OWNER',
          'Say whom the token acts as: --user PERSON, or --role viewer|operator for an integration token (not both).',
        );
      }
      const owner = argv.user ? { person: argv.user } : { role: argv.role! };
      const created = await createToken(pool, { label: argv.name, ...owner });
      const who = argv.user ? `acts as ${argv.user.trim().toLowerCase()}` : `integration, role ${argv.role}`;
      console.log(
        `Token "${created.label}" created (${who}). It is shown only now; store it where the script reads it:`,
      );
      console.log(created.token);
    }),
};

const listCommand: CommandModule<object, { config?: string; json?: boolean }> = {
  command: 'list',
  describe: 'the live tokens (never the tokens themselves)',
  builder: (y) => y.options({ ...configOption, json: { type: 'boolean', describe: 'print them as JSON' } }),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const tokens = await listTokens(pool);
      if (argv.json) return console.log(JSON.stringify(tokens, null, 2));
      if (tokens.length === 0) return console.log('There are no tokens (http.token still works as an operator token).');
      const table = plainTable(['label', 'acts as', 'created (UTC)', 'last used (UTC)']);
      for (const t of tokens) {
        table.push([
          t.label,
          t.person ?? `nobody (${t.role})`,
          utcTime(t.created_at),
          t.last_used_at ? utcTime(t.last_used_at) : 'never',
        ]);
      }
      console.log(table.toString());
    }),
};

const revokeCommand: CommandModule<object, { config?: string; label: string }> = {
  command: 'revoke <label>',
  describe: 'revoke a token: it stops working at once',
  builder: (y) => y.positional('label', { type: 'string', demandOption: true }).options(configOption),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      await revokeToken(pool, argv.label);
      console.log(`Token "${argv.label}" is revoked.`);
    }),
};

export const tokensCommand: CommandModule = {
  command: 'tokens <command>',
  describe: 'tokens for scripts and integrations',
  builder: (y) => y.command(createCommand).command(listCommand).command(revokeCommand).demandCommand(1),
  handler: () => {},
};
