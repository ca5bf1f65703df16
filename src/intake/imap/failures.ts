/**
 * Why handling a mail failed: because something it needs is away (the IMAP connection, the
 * database), or because of the mail itself. Only the second kind counts towards
 * intake.imap.maxMailAttempts; the first leaves the mail waiting, unacknowledged, however long
 * the outage lasts.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'IMAP_UNAVAILABLE',
  'DB_UNAVAILABLE',
  'NoConnection',
]);

/**
 * SQLSTATE classes of a server that is away or busy, not of a bad value: 08 connection
 * exception, 53 insufficient resources, 57 operator intervention (shutdown), 58 system error,
 * 40 transaction rollback (serialization, deadlock); 55P03 a lock not available.
 */
const UNAVAILABLE_STATE = /^(08|53|57|58|40)[0-9A-Z]{3}$|^55P03$/;

/** node-postgres says these without a code. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable|Connection closed/i;

export function isUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const fields = current as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof fields.code === 'string' ? fields.code : '';
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATE.test(code)) return true;
    if (typeof fields.message === 'string' && UNAVAILABLE_MESSAGE.test(fields.message)) return true;
    current = fields.cause;
  }
  return false;
}
