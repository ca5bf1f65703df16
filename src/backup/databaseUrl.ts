/**
 * The parts of a connection URL the backup code needs: which database it names, the same
 * server with another database, and how to hand it to a pg tool without exposing the password.
 */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name || 'postgres';
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * A database on the same server to connect to while the target is created or dropped
 * (a session cannot drop the database it is connected to).
 */
export function maintenanceUrl(url: string): string {
  return withDatabase(url, databaseName(url) === 'postgres' ? 'template1' : 'postgres');
}

/**
 * What a pg tool child gets: a connection string without the password for `--dbname`
 * (command lines are visible to every user of the machine in `ps`), and the password in
 * PGPASSWORD, which only the child's own environment holds.
 */
export function toolConnection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = parsed.password
    ? decodeURIComponent(parsed.password)
    : (parsed.searchParams.get('password') ?? undefined);
  parsed.password = '';
  parsed.searchParams.delete('password');
  return { dbname: parsed.toString(), env: password === undefined ? {} : { PGPASSWORD: password } };
}
