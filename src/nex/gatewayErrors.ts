import { LoaderError } from '../errors.ts';

/**
 * transient: try again later (429, 5xx, timeouts, resets, breaker open).
 * permanent: the same request will fail the same way; a human has to look (400, 401, 404, failed import).
 */
export type NexErrorKind = 'transient' | 'permanent';

export interface GatewayFieldError {
  field?: string;
  message: string;
  value?: unknown;
}

export interface NexErrorOptions {
  kind: NexErrorKind;
  /** The request may have been applied by the gateway although we got no answer (timeout or reset after sending). */
  ambiguous?: boolean;
  status?: number;
  retryAfterMs?: number;
  breakerOpen?: boolean;
  gatewayErrors?: GatewayFieldError[];
  cause?: unknown;
}

/** Every failure of a call to the NEX gateway: a code, a sentence, and what the writer needs to decide. */
export class NexError extends LoaderError {
  readonly kind: NexErrorKind;
  readonly ambiguous: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly breakerOpen: boolean;
  readonly gatewayErrors: GatewayFieldError[];

  constructor(code: string, sentence: string, options: NexErrorOptions) {
    const details: Record<string, unknown> = { kind: options.kind, ambiguous: options.ambiguous ?? false };
    if (options.status !== undefined) details.status = options.status;
    if (options.retryAfterMs !== undefined) details.retryAfterMs = options.retryAfterMs;
    if (options.gatewayErrors?.length) details.gatewayErrors = options.gatewayErrors;
    super(code, sentence, { cause: options.cause, details });
    this.name = 'NexError';
    this.kind = options.kind;
    this.ambiguous = options.ambiguous ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.breakerOpen = options.breakerOpen ?? false;
    this.gatewayErrors = options.gatewayErrors ?? [];
  }
}

export function isNexError(error: unknown): error is NexError {
  return error instanceof NexError;
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns milliseconds from `now`, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The gateway's reasons, from `{detail: {errors}}`, `{errors}` or a FastAPI-style `{detail: [...]}`. */
export function gatewayFieldErrors(body: unknown): GatewayFieldError[] {
  if (!body || typeof body !== 'object') return [];
  const record = body as Record<string, unknown>;
  const detail = record.detail;
  let list: unknown;
  if (Array.isArray(detail)) list = detail;
  else if (detail && typeof detail === 'object' && Array.isArray((detail as Record<string, unknown>).errors))
    list = (detail as Record<string, unknown>).errors;
  else list = record.errors;
  if (!Array.isArray(list)) return [];
  return list.map(toFieldError);
}

function toFieldError(entry: unknown): GatewayFieldError {
  if (typeof entry === 'string') return { message: entry };
  if (!entry || typeof entry !== 'object') return { message: String(entry) };
  const record = entry as Record<string, unknown>;
  const out: GatewayFieldError = {
    message: typeof record.message === 'string' ? record.message : typeof record.msg === 'string' ? record.msg : '',
  };
  if (typeof record.field === 'string') out.field = record.field;
  else if (Array.isArray(record.loc)) out.field = record.loc.join('.');
  if ('value' in record) out.value = record.value;
  if (!out.message) out.message = JSON.stringify(entry);
  return out;
}

/** The gateway's own one-line message, when its body has one (`{detail: {message}}`, `{detail: "…"}`, `{message}`). */
export function gatewayMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const detail = record.detail;
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail === 'object' && typeof (detail as Record<string, unknown>).message === 'string')
    return (detail as Record<string, unknown>).message as string;
  if (typeof record.message === 'string') return record.message;
  return undefined;
}

/** "field: message; field: message" — for the sentence; the structured list stays on the error. */
export function summarizeFieldErrors(errors: GatewayFieldError[], limit = 5): string {
  const shown = errors.slice(0, limit).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const more = errors.length > limit ? ` (and ${errors.length - limit} more)` : '';
  return shown.join('; ') + more;
}

/**
 * Network error codes that mean the connection was never made, so the request cannot have
 * reached the gateway: resending it cannot create a duplicate.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The system or undici error codes inside a fetch failure (`TypeError('fetch failed')` with a cause). */
export function networkErrorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const record = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner, depth + 1);
    visit(record.cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/** True when every code we can see says the connection was never established. */
export function neverSent(codes: string[]): boolean {
  return codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code));
}

export function isTimeoutAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** A request that got no HTTP answer: refused, reset, timed out — and whether it may have been stored. */
export function networkFailure(where: string, writes: boolean, error: unknown, timeoutMs: number): NexError {
  const mayBeStored =
    '; the invoice may have been stored, so reconcile through GET /api/v1/documents before sending it again';
  if (isTimeoutAbort(error)) {
    return new NexError(
      'NEX_TIMEOUT',
      `NEX gateway gave no complete answer to ${where} within ${timeoutMs} ms` + (writes ? mayBeStored : ''),
      { kind: 'transient', ambiguous: writes, cause: error },
    );
  }
  if (error instanceof TypeError && error.cause instanceof Error && error.cause.message === 'bad port') {
    // fetch refuses some ports (e.g. 1, 25, 6000) before connecting: a configuration error, not an outage.
    return new NexError(
      'NEX_BAD_PORT',
      `fetch refuses the port in nex.url, so ${where} was not sent; use another port`,
      {
        kind: 'permanent',
        cause: error,
      },
    );
  }
  const codes = networkErrorCodes(error);
  const shown = codes.length ? ` (${[...new Set(codes)].join(', ')})` : '';
  if (neverSent(codes)) {
    return new NexError(
      'NEX_UNREACHABLE',
      `Could not connect to the NEX gateway for ${where}${shown}: is the gateway running and nex.url right?`,
      { kind: 'transient', ambiguous: false, cause: error },
    );
  }
  return new NexError(
    'NEX_CONNECTION_LOST',
    `The connection to the NEX gateway broke during ${where}${shown}` + (writes ? mayBeStored : ''),
    { kind: 'transient', ambiguous: writes, cause: error },
  );
}

/** An HTTP answer other than the one asked for, as the NexError that says what to do about it. */
export function statusFailure(
  where: string,
  writes: boolean,
  status: number,
  body: unknown,
  retryAfter: string | null,
): NexError {
  const said = gatewayMessage(body);
  const saying = said ? `: ${said}` : '';
  const gatewayErrors = gatewayFieldErrors(body);
  if (status === 400 || status === 422) {
    const reasons = summarizeFieldErrors(gatewayErrors);
    return new NexError(
      'NEX_VALIDATION',
      `NEX gateway rejected ${where} as invalid (${status})${saying}${reasons ? ` — ${reasons}` : ''}`,
      { kind: 'permanent', status, gatewayErrors },
    );
  }
  if (status === 401 || status === 403) {
    return new NexError(
      'NEX_UNAUTHORIZED',
      `NEX gateway refused ${where} with ${status}: the API key is missing or wrong; check nex.apiKey in the config`,
      { kind: 'permanent', status },
    );
  }
  if (status === 404) {
    return new NexError('NEX_NOT_FOUND', `NEX gateway found nothing at ${where} (404)${saying}`, {
      kind: 'permanent',
      status,
    });
  }
  if (status === 409) {
    return new NexError('NEX_CONFLICT', `NEX gateway answered ${where} with 409 (conflict)${saying}`, {
      kind: 'permanent',
      status,
      gatewayErrors,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    const wait = retryAfterMs === undefined ? '' : `; it asks us to wait ${retryAfterMs} ms`;
    return new NexError('NEX_RATE_LIMITED', `NEX gateway is rate-limiting ${where} (429)${wait}`, {
      kind: 'transient',
      status,
      retryAfterMs,
    });
  }
  if (status >= 500 || status === 408) {
    // 504 comes from a proxy that stopped waiting for the gateway, which may still finish the import.
    const ambiguous = writes && status === 504;
    return new NexError(
      'NEX_SERVER_ERROR',
      `NEX gateway failed ${where} with ${status}${saying}` +
        (ambiguous ? '; the invoice may have been stored, so reconcile before sending it again' : ''),
      { kind: 'transient', ambiguous, status, retryAfterMs: parseRetryAfter(retryAfter) },
    );
  }
  return new NexError('NEX_UNEXPECTED_STATUS', `NEX gateway answered ${where} with an unexpected ${status}${saying}`, {
    kind: 'permanent',
    status,
    gatewayErrors,
  });
}
