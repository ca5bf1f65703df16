/**
 * The one error type the daemon raises on purpose: a stable `code` that tests, alerts and
 * exit paths can match on, and a sentence a human operator can act on.
 */
export class LoaderError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, sentence: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(sentence, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoaderError';
    this.code = code;
    this.details = options.details;
  }
}

export function errorCode(error: unknown): string {
  if (error instanceof LoaderError) return error.code;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return 'UNEXPECTED';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
