import type { FastifyReply } from 'fastify';
import { LoaderError } from '../errors.ts';

/**
 * Every error code the HTTP API answers with, and its status: one table for the route
 * handlers, for the domain's LoaderErrors that reach a route (asRequestRefused), and for the
 * table in docs/console.md (test/http/errorCatalog.test.ts keeps the two equal). Errors of the
 * fastify plugins (a bad CSRF token: FST_CSRF_*, 403) keep their own codes and statuses.
 */
export const HTTP_ERRORS = {
  // Who is calling.
  AUTH_MISSING: 401,
  AUTH_INVALID: 401,
  AUTH_FORBIDDEN: 403,
  ROLE_MISSING: 403,
  APPROVER_NOT_A_PERSON: 403,
  SIGN_IN_FAILED: 401,
  SIGN_IN_LOCKED: 429,
  SIGN_IN_RATE_LIMITED: 429,
  // What the request says.
  INVALID_REQUEST: 400,
  INVALID_STATUS: 400,
  INVALID_LIMIT: 400,
  INVALID_FIELD: 400,
  INVALID_DATE: 400,
  INVALID_BASE64: 400,
  MISSING_FILE: 400,
  MISSING_FILENAME: 400,
  TOO_MANY_FILES: 400,
  EMPTY_FILE: 400,
  FILE_TOO_LARGE: 413,
  UNSUPPORTED_FILE_TYPE: 415,
  UPLOAD_RATE_LIMITED: 429,
  REJECT_REASON_MISSING: 400,
  CORRECTION_INVALID: 400,
  // What it asks for.
  NOT_FOUND: 404,
  INVOICE_NOT_FOUND: 404,
  UNKNOWN_ACTOR: 404,
  FAULT_INJECTION_DISABLED: 404,
  INVOICE_NOT_DECIDABLE: 409,
  INVOICE_NOT_CORRECTABLE: 409,
  APPROVER_ALREADY_APPROVED: 409,
  APPROVER_CORRECTED: 409,
  CORRECTION_NUMBER_TAKEN: 409,
  // The daemon itself.
  DB_UNAVAILABLE: 503,
  ALERT_TEST_FAILED: 503,
} as const satisfies Record<string, number>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** An answer the client can act on: app.ts's error handler sends its status, code and sentence. */
export class RequestRefused extends LoaderError {
  readonly statusCode: number;

  constructor(code: HttpErrorCode, sentence: string) {
    super(code, sentence);
    this.statusCode = HTTP_ERRORS[code];
  }
}

/** A LoaderError whose code the catalog knows becomes the answer it describes; other errors pass unchanged. */
export function asRequestRefused(error: unknown): unknown {
  if (!(error instanceof LoaderError) || error instanceof RequestRefused) return error;
  return error.code in HTTP_ERRORS ? new RequestRefused(error.code as HttpErrorCode, error.message) : error;
}

/** Answers a refusal from a hook or handler that replies itself: `{ error: { code, message } }` and the catalog's status. */
export function sendRefusal(reply: FastifyReply, code: HttpErrorCode, sentence: string, extra: object = {}) {
  return reply.code(HTTP_ERRORS[code]).send({ ...extra, error: { code, message: sentence } });
}
