import { LoaderError } from '../errors.ts';

/** An answer the client can act on: app.ts's error handler sends its status, code and sentence. */
export class RequestRefused extends LoaderError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, sentence: string) {
    super(code, sentence);
    this.statusCode = statusCode;
  }
}

/** The HTTP status for each refusal the daemon's own errors describe; anything else is a 500. */
const STATUS_BY_CODE: Record<string, number> = {
  DB_UNAVAILABLE: 503,
  INVALID_STATUS: 400,
  INVOICE_NOT_FOUND: 404,
  INVOICE_NOT_DECIDABLE: 409,
  APPROVER_ALREADY_APPROVED: 409,
  REJECT_REASON_MISSING: 400,
  APPROVER_CORRECTED: 409,
  APPROVER_NOT_A_PERSON: 403,
  ROLE_MISSING: 403,
  CORRECTION_INVALID: 400,
  INVOICE_NOT_CORRECTABLE: 409,
  CORRECTION_NUMBER_TAKEN: 409,
};

/** A LoaderError with a known code becomes the answer it describes; other errors pass unchanged. */
export function asRequestRefused(error: unknown): unknown {
  if (!(error instanceof LoaderError) || error instanceof RequestRefused) return error;
  const status = STATUS_BY_CODE[error.code];
  return status ? new RequestRefused(status, error.code, error.message) : error;
}
