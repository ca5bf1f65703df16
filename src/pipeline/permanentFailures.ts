import { isConnectionLoss, PG } from '../db/pgErrorCodes.ts';

/**
 * PostgreSQL codes that refuse an invoice's own text (a NUL, a byte sequence the database
 * encoding has no character for): the same invoice is refused on every attempt, so retrying
 * only delays its quarantine.
 */
const REFUSED_TEXT: Readonly<Record<string, string>> = {
  // "invalid byte sequence for encoding "UTF8": 0x00".
  [PG.characterNotInRepertoire]: 'the database refuses a character in this invoice',
  // "unsupported Unicode escape sequence" (\u0000 in JSON).
  [PG.untranslatableCharacter]: 'the database cannot store a character of this invoice',
};

/** Why retrying a failed step cannot help; undefined when it might. */
export function permanentFailure(code: string | undefined, message: string): string | undefined {
  if (code && REFUSED_TEXT[code]) return REFUSED_TEXT[code];
  return /invalid byte sequence/i.test(message) ? REFUSED_TEXT[PG.characterNotInRepertoire] : undefined;
}

/**
 * The database went away under the step (a restart, a failover, pg_terminate_backend, the
 * embedded server killed): the invoice itself is fine, so such a failure is retried with backoff
 * but never counts it towards quarantine (issue 19: an outage is a state, not the invoice's fault).
 */
export function lostConnection(code: string | undefined, message: string): boolean {
  // The server ended the session or it broke; DB_UNAVAILABLE: the database actor is reconnecting.
  if (isConnectionLoss(code) || (code && CONNECTION_CODES.has(code))) return true;
  return /Connection terminated|terminating connection|ECONNREFUSED|ECONNRESET/i.test(message);
}

const CONNECTION_CODES = new Set(['DB_UNAVAILABLE', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
