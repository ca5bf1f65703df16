import type { CommandModule } from 'yargs';
import { passwordFromStdin, promptNewPassword } from '../../auth/passwordInput.ts';
import { addPerson, disablePerson, listPeople, setPassword, setRole, type Person } from '../../auth/people.ts';
import { ROLES } from '../../auth/roles.ts';
import { LoaderError } from '../../errors.ts';
import { runDatabaseCommand } from '../cliDatabase.ts';
import { configOption } from '../configOption.ts';
import { plainTable, utcTime } from './invoices.ts';

/**
 * `invoice-loader users add|list|role|disable|password`: the people who sign in to the
 * console, managed on the server (whoever runs the CLI there has the database anyway). A
 * fresh install has nobody; the console's sign-in page says to run `users add NAME --role admin`.
 */

async function newPassword(fromStdin: boolean | undefined): Promise<string | undefined> {
  if (fromStdin) return passwordFromStdin();
  return (await promptNewPassword()) ?? undefined;
}

const passwordStdin = {
  'password-stdin': { type: 'boolean', describe: 'read the password from the first line of stdin (for scripts)' },
} as const;

const addCommand: CommandModule<
  object,
  { config?: string; name: string; role: string; display?: string; 'password-stdin'?: boolean }
> = {
  command: 'add <name>',
  describe: 'add a person who signs in to the console (prompts for the password on a terminal)',
  builder: (y) =>
    y.positional('name', { type: 'string', demandOption: true, describe: 'the sign-in name (lower-case)' }).options({
      ...configOption,
      ...passwordStdin,
      role: { type: 'string', choices: ROLES, demandOption: true, describe: 'what the person may do' },
      display: { type: 'string', describe: 'the name the console shows, e.g. "Jana Nováková"' },
    }),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const password = await newPassword(argv['password-stdin']);
      const person = await addPerson(pool, {
        name: argv.name,
        role: argv.role,
        displayName: argv.display,
        password,
      });
      console.log(`Added ${person.name} (${person.role}).`);
      if (!person.has_password) {
        console.log(
          `${person.name} has no password yet and cannot sign in: set one with \`invoice-loader users password ${person.name}\`.`,
        );
      }
    }),
};

function describePerson(p: Person): string[] {
  const state = p.disabled
    ? 'disabled'
    : p.locked_until
      ? `locked until ${utcTime(p.locked_until)}`
      : p.has_password
        ? 'active'
        : 'no password';
  return [p.name, p.display_name, p.role, state, p.last_sign_in_at ? utcTime(p.last_sign_in_at) : 'never'];
}

const listCommand: CommandModule<object, { config?: string; json?: boolean }> = {
  command: 'list',
  describe: 'the people, their roles and last sign-in',
  builder: (y) => y.options({ ...configOption, json: { type: 'boolean', describe: 'print them as JSON' } }),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const people = await listPeople(pool);
      if (argv.json) return console.log(JSON.stringify(people, null, 2));
      if (people.length === 0) {
        return console.log('Nobody is set up yet. Add the first admin: invoice-loader users add NAME --role admin');
      }
      const table = plainTable(['name', 'display name', 'role', 'state', 'last sign-in (UTC)']);
      for (const person of people) table.push(describePerson(person));
      console.log(table.toString());
    }),
};

const roleCommand: CommandModule<object, { config?: string; name: string; role: string }> = {
  command: 'role <name> <role>',
  describe: "change a person's role (ends their console sessions)",
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true })
      .positional('role', { type: 'string', choices: ROLES, demandOption: true })
      .options(configOption),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const person = await setRole(pool, argv.name, argv.role);
      console.log(`${person.name} is now ${person.role}.`);
    }),
};

const disableCommand: CommandModule<object, { config?: string; name: string }> = {
  command: 'disable <name>',
  describe: 'stop a person from signing in (ends their sessions; their tokens stop working)',
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }).options(configOption),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const person = await disablePerson(pool, argv.name);
      console.log(`${person.name} is disabled: signed out everywhere, and their tokens no longer work.`);
    }),
};

const passwordCommand: CommandModule<object, { config?: string; name: string; 'password-stdin'?: boolean }> = {
  command: 'password <name>',
  describe: "set a person's password (prompts on a terminal; lifts a lockout, ends their sessions)",
  builder: (y) =>
    y.positional('name', { type: 'string', demandOption: true }).options({ ...configOption, ...passwordStdin }),
  handler: (argv) =>
    runDatabaseCommand(argv.config, async (pool) => {
      const password = await newPassword(argv['password-stdin']);
      if (password === undefined) {
        throw new LoaderError('PASSWORD_MISSING', 'No terminal to ask on: pipe the password in with --password-stdin.');
      }
      const person = await setPassword(pool, argv.name, password);
      console.log(`The password of ${person.name} is set; their other sessions are signed out.`);
    }),
};

export const usersCommand: CommandModule = {
  command: 'users <command>',
  describe: 'people who sign in to the console, and their roles',
  builder: (y) =>
    y
      .command(addCommand)
      .command(listCommand)
      .command(roleCommand)
      .command(disableCommand)
      .command(passwordCommand)
      .demandCommand(1),
  handler: () => {},
};
