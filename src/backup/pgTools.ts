import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { LoaderError, errorMessage } from '../errors.ts';
import { windowsPgBinDirs } from './windowsPgDirs.ts';

/** The pg_dump and pg_restore that backups, verification and restores run. */
export interface PgTools {
  pgDump: string;
  pgRestore: string;
  /** Major version of pg_dump (15 for 15.20). */
  version: number;
  /** What `pg_dump --version` printed, for manifests and messages. */
  versionText: string;
}

const execFileAsync = promisify(execFile);

/**
 * Finds pg_dump and pg_restore, both from one folder so their versions match: in
 * `pgBinDir` when it is set (a configured folder that lacks them is an error, not a reason
 * to silently use other tools), else on PATH, else on Windows in the PostgreSQL install
 * folders, newest first. `serverMajor`, when known, makes the install advice exact.
 */
export async function findPgTools(pgBinDir: string, options: { serverMajor?: number } = {}): Promise<PgTools> {
  const candidates = pgBinDir
    ? [pgBinDir]
    : [
        ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
        ...(process.platform === 'win32' ? windowsPgBinDirs(process.env) : []),
      ];
  for (const dir of candidates) {
    const pgDump = join(dir, executable('pg_dump'));
    const pgRestore = join(dir, executable('pg_restore'));
    if (!(await isExecutable(pgDump)) || !(await isExecutable(pgRestore))) continue;
    const versionText = await versionOf(pgDump, options.serverMajor);
    const version = majorOf(versionText);
    if (version === undefined) {
      throw new LoaderError(
        'PG_DUMP_MISSING',
        `${pgDump} did not report a PostgreSQL version. ${installAdvice(options.serverMajor)}`,
        {
          details: { pgDump, versionText },
        },
      );
    }
    return { pgDump, pgRestore, version, versionText };
  }
  const where = pgBinDir ? `in backup.pgBinDir (${pgBinDir})` : 'on PATH or in the PostgreSQL install folders';
  throw new LoaderError(
    'PG_DUMP_MISSING',
    `pg_dump and pg_restore were not found ${where}; backups cannot run. ${installAdvice(options.serverMajor)}`,
    { details: { pgBinDir, searched: candidates } },
  );
}

/** pg_dump refuses to dump a server newer than itself, so this is checked before a dump starts. */
export function assertToolsCanDump(tools: PgTools, serverMajor: number): void {
  if (tools.version >= serverMajor) return;
  throw new LoaderError(
    'PG_DUMP_TOO_OLD',
    `${tools.pgDump} is version ${tools.version}, older than the PostgreSQL ${serverMajor} server, and cannot dump it. ` +
      installAdvice(serverMajor),
    { details: { pgDump: tools.pgDump, toolsVersion: tools.versionText, serverMajor } },
  );
}

/** What to install, in the words of the operator's platform. */
export function installAdvice(serverMajor?: number, platform: NodeJS.Platform = process.platform): string {
  const major = serverMajor === undefined ? '' : ` ${serverMajor}`;
  const setting = 'or set backup.pgBinDir to the folder that holds pg_dump and pg_restore';
  if (platform === 'win32') {
    return `Install the "Command Line Tools" of the PostgreSQL${major} installer (EDB), ${setting}.`;
  }
  const pkg =
    serverMajor === undefined ? 'postgresql-client-<server major version>' : `postgresql-client-${serverMajor}`;
  return `Install the PostgreSQL${major} client tools (Debian/Ubuntu: apt install ${pkg}, from apt.postgresql.org when the release lacks it), ${setting}.`;
}

/** The `bin` folders under `<root>\PostgreSQL\<version>`, newest version first. */
export async function windowsInstallBinDirs(roots: string[]): Promise<string[]> {
  const found: Array<{ dir: string; version: number }> = [];
  for (const root of roots) {
    const base = join(root, 'PostgreSQL');
    const versions = await readdir(base).catch(() => [] as string[]);
    for (const name of versions) {
      const version = Number(name);
      if (Number.isFinite(version)) found.push({ dir: join(base, name, 'bin'), version });
    }
  }
  return found.sort((a, b) => b.version - a.version).map((entry) => entry.dir);
}

function executable(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(program: string, serverMajor: number | undefined): Promise<string> {
  try {
    const { stdout } = await execFileAsync(program, ['--version'], { timeout: 15_000, windowsHide: true });
    return stdout.trim();
  } catch (error) {
    throw new LoaderError(
      'PG_DUMP_MISSING',
      `${program} is there but does not run (${errorMessage(error)}). ${installAdvice(serverMajor)}`,
      { cause: error, details: { program } },
    );
  }
}

/** "pg_dump (PostgreSQL) 15.20 (Debian …)" → 15; before version 10 the major had two parts (9.6). */
export function majorOf(versionText: string): number | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first >= 10 || match[2] === undefined ? first : Number(`${first}.${match[2]}`);
}
