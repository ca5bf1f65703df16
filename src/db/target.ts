import { LoaderError, errorMessage } from '../errors.ts';
import { PG } from './pgErrorCodes.ts';

/** A connection URL described for humans and logs: never the password. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `postgres://${user}${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return '(unparsable database URL)';
  }
}

/** A connection failure turned into one sentence an operator can act on. */
export function explainConnectionError(error: unknown, url: string): LoaderError {
  const target = describeTarget(url);
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused: is PostgreSQL running and listening there?',
    ENOTFOUND: 'the host name does not resolve',
    ETIMEDOUT: 'the connection timed out',
    ECONNRESET: 'the server closed the connection',
    [PG.invalidCatalogName]: `${errorMessage(error)} (create it, or fix database.url)`,
    [PG.invalidPassword]: `${errorMessage(error)} (check the password given to database.url)`,
    [PG.invalidAuthorization]: `${errorMessage(error)} (check pg_hba.conf and the user in database.url)`,
    [PG.cannotConnectNow]: 'the server is starting up or shutting down',
  };
  const reason = (code && reasons[code]) ?? errorMessage(error);
  return new LoaderError('DB_UNAVAILABLE', `Cannot use the database at ${target}: ${reason}`, {
    cause: error,
    details: { target, pgCode: code },
  });
}
