import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import pg from 'pg';
import { PG } from './pgErrorCodes.ts';
import { errorCode } from '../errors.ts';

/**
 * The superuser password of the embedded server: random per install, kept in a file only the
 * daemon's user can read (0600, like data/http-token), never the same on two machines.
 *
 * Installs from before had the published `invoice-loader`. They are moved to a generated
 * password on their next start, in an order a crash cannot turn into a lock-out: the new
 * password is first written to `<file>.new`, then set with ALTER ROLE, then the file is
 * renamed into place. Whatever step a crash interrupts, one of file / file.new / the old
 * password still opens the server, and the next start finishes the move.
 */
export const LEGACY_PASSWORD = 'invoice-loader';

export function passwordFileFor(dataDir: string): string {
  return `${dataDir}.password`;
}

export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes `text` with mode 0600, durably, replacing the file in one rename. */
export function writeSecretFile(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The passwords that may open the server, most likely first. */
export function candidatePasswords(file: string): string[] {
  const found = [readSecret(file), readSecret(`${file}.new`), LEGACY_PASSWORD];
  return [...new Set(found.filter((password): password is string => !!password))];
}

/** Connects with the first candidate the server accepts; any other failure than a wrong password is thrown. */
export async function connectWithAny(
  connect: (password: string) => pg.Client,
  candidates: string[],
): Promise<{ client: pg.Client; password: string }> {
  let lastError: unknown;
  for (const password of candidates) {
    const client = connect(password);
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { client, password };
    } catch (error) {
      await client.end().catch(() => undefined);
      lastError = error;
      // 28P01: wrong password, try the next one.
      if (errorCode(error) !== PG.invalidPassword) throw error;
    }
  }
  throw lastError;
}

/**
 * Makes the password in `file` the server's, if it is not already (`working` is the one that
 * opened `client`). Resolves with the password to use from now on.
 */
export async function settlePassword(client: pg.Client, user: string, working: string, file: string): Promise<string> {
  if (readSecret(file) === working) {
    rmSync(`${file}.new`, { force: true }); // a move that never reached ALTER ROLE
    return working;
  }
  const pending = readSecret(`${file}.new`) ?? generatePassword();
  if (pending !== working) {
    writeSecretFile(`${file}.new`, pending);
    await client.query(`ALTER ROLE ${pg.escapeIdentifier(user)} PASSWORD ${pg.escapeLiteral(pending)}`);
  }
  renameSync(`${file}.new`, file);
  return pending;
}
