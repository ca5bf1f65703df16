import type { Argv, CommandModule } from 'yargs';

/**
 * Every CLI command, as yargs sees it before it runs: the command string and its one-line
 * description, nothing else. A command's module (with its builder, handler and everything they
 * import: the config schema, pg, the extraction pool, the daemon...) is imported only when that
 * command is the one being run, or its own `--help` is asked for. Importing them all made every
 * command, even `--help`, load the whole program (about a second per call).
 *
 * To add a command:
 *   1. write src/cli/commands/<name>.ts exporting a yargs CommandModule (heavy imports are fine
 *      there: the module is loaded only for its own command);
 *   2. add one line here: lazy('<command string as in the module>', '<describe>',
 *      () => import('./commands/<name>.ts').then((m) => m.<name>Command)).
 * Never import a command module statically into this file or main.ts: that loads it for
 * every command again. test/cli/commandRegistry.test.ts checks that the strings here match the
 * modules' own, and that --help loads no command module.
 */
/** What the registry needs of a loaded command module (yargs' CommandModule, whatever its argument types). */
export interface LoadedCommand {
  command?: string | readonly string[];
  describe?: string | false;
  builder?: unknown;
  handler: unknown;
}

export interface LazyCommand {
  command: string;
  describe: string;
  load: () => Promise<LoadedCommand>;
}

export const COMMANDS: LazyCommand[] = [
  lazy('run', 'run the daemon in the foreground (what NSSM, systemd and supervisord start)', () =>
    import('./commands/run.ts').then((m) => m.runCommand),
  ),
  lazy('templates <command>', 'supplier extraction templates', () =>
    import('./commands/templates.ts').then((m) => m.templatesCommand),
  ),
  lazy('extract <file>', 'read one document (PDF, UBL, CII, ISDOC, Factur-X) and print the normalized invoice', () =>
    import('./commands/extract.ts').then((m) => m.extractCommand),
  ),
  lazy('health', 'ask the running daemon how it is; exit 0 on pass or warn, 1 on fail or no answer', () =>
    import('./commands/health.ts').then((m) => m.healthCommand),
  ),
  lazy(
    'inspect',
    "show the live actor tree: states, restarts, last errors; `inspect invoice ID`: one invoice's history",
    () => import('./commands/inspect.ts').then((m) => m.inspectCommand),
  ),
  lazy(
    'import <paths..>',
    'store invoice files or folders (recursively) in the database, as the intake would; the files stay',
    () => import('./commands/import.ts').then((m) => m.importCommand),
  ),
  lazy('invoices <command>', 'the staged invoices in the database (works whether or not the daemon runs)', () =>
    import('./commands/invoices.ts').then((m) => m.invoicesCommand),
  ),
  lazy(
    'approve <id>',
    'approve a validated invoice for posting to NEX (two different people above approval.doubleApprovalAbove)',
    () => import('./commands/decisions.ts').then((m) => m.approveCommand),
  ),
  lazy(
    'reject <id>',
    'reject an invoice that must not be posted (validated, needs_review or unreadable), with the reason',
    () => import('./commands/decisions.ts').then((m) => m.rejectCommand),
  ),
  lazy('dlq <command>', 'the dead-letter queue: invoices whose posting to NEX gave up', () =>
    import('./commands/dlq.ts').then((m) => m.dlqCommand),
  ),
  lazy(
    'logs [view]',
    "pretty-print the daemon's JSON log files (works while it writes, across rotation); `logs errors`: errors by code and actor",
    () => import('./commands/logs.ts').then((m) => m.logsCommand),
  ),
  lazy('backup <command>', 'database backups', () => import('./commands/backup.ts').then((m) => m.backupCommand)),
  lazy(
    'restore [file]',
    'restore a backup into the configured database (verifies it first; refuses while a daemon runs on it)',
    () => import('./commands/restore.ts').then((m) => m.restoreCommand),
  ),
  lazy('config <command>', 'configuration tools', () => import('./commands/config.ts').then((m) => m.configCommand)),
  lazy('db <command>', 'database tools', () => import('./commands/db.ts').then((m) => m.dbCommand)),
  lazy('service <action>', 'install, remove or show the daemon as a service (NSSM, WinSW, systemd, supervisord)', () =>
    import('./commands/service.ts').then((m) => m.serviceCommand),
  ),
  lazy('alerts <command>', 'alert history, test mail, silences', () =>
    import('./commands/alerts.ts').then((m) => m.alertsCommand),
  ),
  lazy('reports <command>', 'send the daily or weekly report', () =>
    import('./commands/alerts.ts').then((m) => m.reportsCommand),
  ),
  lazy('users <command>', 'people who sign in to the console, and their roles', () =>
    import('./commands/users.ts').then((m) => m.usersCommand),
  ),
  lazy('tokens <command>', 'tokens for scripts and integrations', () =>
    import('./commands/tokens.ts').then((m) => m.tokensCommand),
  ),
];

function lazy(command: string, describe: string, load: () => Promise<LoadedCommand>): LazyCommand {
  return { command, describe, load };
}

/**
 * The yargs command for a registry entry: yargs calls the builder only for the command it
 * runs (or shows help for), and waits for a builder that returns a promise.
 */
export function toYargs(entry: LazyCommand): CommandModule {
  return {
    command: entry.command,
    describe: entry.describe,
    builder: async (yargs: Argv) => {
      const { builder } = await entry.load();
      if (typeof builder === 'function') return (builder as (y: Argv) => Argv | PromiseLike<Argv>)(yargs);
      return builder ? yargs.options(builder as Record<string, object>) : yargs;
    },
    handler: async (argv) => {
      const { handler } = await entry.load();
      await (handler as (args: typeof argv) => void | Promise<void>)(argv);
    },
  };
}
