/**
 * The PostgreSQL error codes (SQLSTATE, appendix A of its manual) the daemon acts on, named once:
 * code reads `PG.uniqueViolation`, not '23505'.
 */
export const PG = {
  /** A unique index refused the row: the same thing was stored by someone else first. */
  uniqueViolation: '23505',
  /** The text holds a character the database encoding cannot take (a NUL, "invalid byte sequence"). */
  characterNotInRepertoire: '22021',
  /** A JSON value with \u0000 or another character the database cannot store. */
  untranslatableCharacter: '22P05',
  invalidCatalogName: '3D000',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  /** Terminated by an administrator (pg_terminate_backend, a fast shutdown). */
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  /** The server is starting up or shutting down. */
  cannotConnectNow: '57P03',
} as const;

/** The connection went away under the statement: the server ended it, or it broke (class 08). */
export function isConnectionLoss(code: string | undefined): boolean {
  return (
    code === PG.adminShutdown || code === PG.crashShutdown || code === PG.cannotConnectNow || !!code?.startsWith('08')
  );
}
