import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import {
  CONFIG_BACKUP_EXTENSION,
  createConfigBackup,
  generateKeyFile,
  restoreConfigBackup,
  saveConfigBackup,
  type KeySource,
} from '../../backup/configBackup.ts';
import { ConfigError, loadConfig, type LoadedConfig } from '../../config/load.ts';
import { redactConfig } from '../../config/redact.ts';
import { errorCode, errorMessage, LoaderError } from '../../errors.ts';
import { readHttpsFiles } from '../../http/tls.ts';
import { configOption } from '../configOption.ts';

const check: CommandModule<object, { config?: string; print?: boolean }> = {
  command: 'check',
  describe: 'validate the configuration; print every problem with key, source and reason',
  builder: (y) =>
    y.options({
      ...configOption,
      print: { type: 'boolean', describe: 'print the effective configuration (secrets redacted)' },
    }),
  handler: (argv) => {
    try {
      const { config, file } = loadConfig({ file: argv.config });
      // The certificate files too: a wrong path would otherwise surface only when `run` starts.
      if (config.http.enabled) {
        try {
          readHttpsFiles(config.http.tls);
        } catch (error) {
          console.error(`The configuration has 1 problem:\n  - ${errorMessage(error)} (${errorCode(error)})`);
          process.exitCode = 1;
          return;
        }
      }
      console.log(`Configuration OK: defaults${file ? ` < ${file}` : ''} < INVOICE_LOADER_* environment`);
      if (argv.print) console.log(stringify(redactConfig(config)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      process.exitCode = 1;
    }
  },
};

const DEFAULT_PASSPHRASE_ENV = 'INVOICE_LOADER_BACKUP_PASSPHRASE';

interface KeyArgs {
  passphraseEnv?: string;
  keyFile?: string;
  passphrase?: string;
}

const keyOptions = {
  'passphrase-env': {
    type: 'string',
    describe: `environment variable that holds the passphrase (default ${DEFAULT_PASSPHRASE_ENV})`,
  },
  'key-file': {
    type: 'string',
    describe: 'a key file instead of a passphrase (make one with `config backup --keygen`)',
  },
  // Declared only to refuse it with a reason: argv shows in the process list and shell history.
  passphrase: { type: 'string', hidden: true },
} as const;

/** The key the user named, or a sentence saying how to name one. */
function keyFromArgs(argv: KeyArgs): KeySource | string {
  if (argv.passphrase !== undefined) {
    return (
      'The passphrase is never taken from the command line, where the process list and shell history show it; ' +
      `put it in the environment variable ${DEFAULT_PASSPHRASE_ENV} (or one named by --passphrase-env), or use --key-file.`
    );
  }
  if (argv.keyFile) return { keyFile: resolve(argv.keyFile) };
  const variable = argv.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV;
  const passphrase = process.env[variable];
  if (passphrase?.trim()) return { passphrase };
  if (argv.passphraseEnv)
    return `The environment variable ${variable} is not set (or empty); it should hold the passphrase.`;
  return (
    `No key for the config backup: set the passphrase in the environment variable ${DEFAULT_PASSPHRASE_ENV} ` +
    '(or name another variable with --passphrase-env NAME), or give --key-file FILE ' +
    '(make one with `invoice-loader config backup --keygen FILE`).'
  );
}

function describeKey(key: KeySource, argv: KeyArgs): string {
  return 'keyFile' in key
    ? `key file ${key.keyFile}`
    : `passphrase from ${argv.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV}`;
}

/** `config-20250131-140502.ilcb`, in local time like the backup schedules. */
function backupFileName(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `config-${date}-${time}${CONFIG_BACKUP_EXTENSION}`;
}

function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

const backup: CommandModule<object, KeyArgs & { config?: string; out?: string; keygen?: string }> = {
  command: 'backup',
  describe: 'save the user config file and a .env beside it as an encrypted archive (AES-256-GCM)',
  builder: (y) =>
    y
      .options({
        ...configOption,
        ...keyOptions,
        out: {
          type: 'string',
          describe: `archive to write (default: <backup.dir>/config/config-YYYYMMDD-HHMMSS${CONFIG_BACKUP_EXTENSION})`,
        },
        keygen: { type: 'string', describe: 'only create a new key file FILE (32 random bytes, owner-only)' },
      })
      .conflicts('passphrase-env', 'key-file')
      .conflicts('keygen', ['out', 'passphrase-env', 'key-file', 'config']),
  handler: async (argv) => {
    if (argv.keygen !== undefined) {
      try {
        await generateKeyFile(argv.keygen);
      } catch (error) {
        return fail(errorMessage(error));
      }
      console.log(
        `Created the key file ${resolve(argv.keygen)}. Keep a copy apart from the backups: ` +
          'without it they cannot be restored, and whoever has both can read them.',
      );
      return;
    }

    const key = keyFromArgs(argv);
    if (typeof key === 'string') return fail(key);

    let loaded: LoadedConfig;
    try {
      // The passphrase variable is not a config key; loadConfig would report it as an unknown INVOICE_LOADER_* one.
      const env = { ...process.env };
      delete env[argv.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV];
      loaded = loadConfig({ file: argv.config, env });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // It needs to load: it names the user file and backup.dir. Unset ${ENV:…} variables count too.
      return fail(`Cannot back up: the configuration does not load. ${error.message}`);
    }
    if (!loaded.file) {
      return fail(
        'There is nothing to back up beyond the defaults: no user config file is in use ' +
          '(name one with --config FILE or INVOICE_LOADER_CONFIG).',
      );
    }

    const envFile = join(dirname(loaded.file), '.env');
    const files = [loaded.file, ...(existsSync(envFile) && statSync(envFile).isFile() ? [envFile] : [])];
    const out = resolve(argv.out ?? join(loaded.config.backup.dir, 'config', backupFileName(new Date())));
    try {
      const archive = await createConfigBackup(
        files.map((path) => ({ path })),
        key,
      );
      await saveConfigBackup(out, archive);
      console.log(`Saved the config backup ${out} (${archive.length} bytes, ${describeKey(key, argv)}):`);
      for (const path of files) console.log(`  ${path}`);
    } catch (error) {
      fail(errorMessage(error));
    }
  },
};

const restore: CommandModule<object, KeyArgs & { archive: string; to?: string; overwrite?: boolean }> = {
  command: 'restore <archive>',
  describe: 'write the files of a config backup back; existing files are kept unless --overwrite',
  builder: (y) =>
    y
      .positional('archive', { type: 'string', demandOption: true, describe: `the ${CONFIG_BACKUP_EXTENSION} archive` })
      .options({
        ...keyOptions,
        to: { type: 'string', describe: 'folder to restore into (default: the current folder)' },
        overwrite: { type: 'boolean', describe: 'replace files that already exist there' },
      })
      .conflicts('passphrase-env', 'key-file'),
  handler: async (argv) => {
    const key = keyFromArgs(argv);
    if (typeof key === 'string') return fail(key);
    const archivePath = resolve(argv.archive);
    let archive: Buffer;
    try {
      archive = await readFile(archivePath);
    } catch (error) {
      return fail(`Cannot read ${archivePath}: ${errorMessage(error)}`);
    }
    const target = resolve(argv.to ?? '.');
    try {
      const restored = await restoreConfigBackup(archive, key, target, { overwrite: argv.overwrite });
      console.log(`Restored ${restored.length} file(s) from ${archivePath} into ${target}:`);
      for (const file of restored) {
        console.log(`  ${file.path} (${file.size} bytes, last changed ${file.mtime.toISOString()})`);
      }
    } catch (error) {
      if (error instanceof LoaderError && error.code === 'CONFIG_BACKUP_WOULD_OVERWRITE') {
        const existing = (error.details?.existing as string[] | undefined) ?? [];
        const verb = existing.length === 1 ? 'exists' : 'exist';
        return fail(`Nothing was restored: ${existing.join(', ')} already ${verb}; pass --overwrite to replace them.`);
      }
      fail(`Cannot restore ${archivePath}: ${errorMessage(error)}`);
    }
  },
};

export const configCommand: CommandModule = {
  command: 'config <command>',
  describe: 'configuration tools',
  builder: (y) => y.command(check).command(backup).command(restore).demandCommand(1),
  handler: () => {},
};
