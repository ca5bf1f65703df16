import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import { createGatewayBreaker, isBreakerRejection, isBreakerShutdown, type BreakerState } from './breaker.ts';
import {
  NexError,
  gatewayFieldErrors,
  gatewayMessage,
  isTimeoutAbort,
  networkErrorCodes,
  neverSent,
  parseRetryAfter,
  summarizeFieldErrors,
} from './gatewayErrors.ts';
import type {
  BarcodeProduct,
  HealthAnswer,
  ImportOutcome,
  ImportPayload,
  ImportResult,
  MatchAlternative,
  MatchRequest,
  MatchResult,
  MatchedProduct,
  NexDocumentRef,
  Partner,
} from './gatewayTypes.ts';

export { NexError, type NexErrorKind, type GatewayFieldError } from './gatewayErrors.ts';
export type { BreakerState } from './breaker.ts';
export type * from './gatewayTypes.ts';

export interface GatewayClient {
  health(): Promise<HealthAnswer>;
  /** null when the gateway does not know the EAN (404). */
  barcode(ean: string): Promise<BarcodeProduct | null>;
  matchProduct(req: MatchRequest): Promise<MatchResult>;
  searchPartners(q: string): Promise<Partner[]>;
  findDocuments(q: { ext_num: string; partner_ico: string }): Promise<NexDocumentRef[]>;
  /** idempotencyKey: `<supplier-ico>:<invoice-number>`; the gateway may ignore it, so the writer reconciles. */
  importInvoice(payload: ImportPayload, idempotencyKey: string): Promise<ImportOutcome>;
  breakerState(): BreakerState;
  onBreakerChange(listener: (state: BreakerState, previous: BreakerState) => void): () => void;
  shutdown(): void;
}

export type GatewaySettings = Pick<Config['nex'], 'url' | 'apiKey' | 'timeoutMs' | 'breaker'>;

const IMPORT_PATH = '/api/v1/invoices/import';

interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The import writes; everything else only reads, so only the import can be left ambiguous. */
  writes: boolean;
  /** Statuses besides 2xx that the caller handles itself (the import's 409). */
  accept?: number[];
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The only module that speaks HTTP to the NEX gateway. Every call goes through one circuit
 * breaker; every failure becomes a NexError that says whether to retry (kind) and whether the
 * gateway may have applied the request anyway (ambiguous).
 */
export function createGatewayClient(settings: GatewaySettings): GatewayClient {
  if (!settings.url) {
    throw new LoaderError(
      'NEX_NOT_CONFIGURED',
      'nex.url is empty: set the NEX gateway URL to post invoices via the API',
    );
  }
  if (!URL.canParse(settings.url)) {
    throw new LoaderError(
      'NEX_NOT_CONFIGURED',
      'nex.url is not a valid URL: set it to the NEX gateway, e.g. http://nex-gateway.lan:8000',
    );
  }
  const baseUrl = settings.url.replace(/\/+$/, '');
  const breaker = createGatewayBreaker(
    settings.breaker,
    (error) => !(error instanceof NexError && error.kind === 'permanent'),
  );

  async function send(request: Request): Promise<Answer> {
    const where = `${request.method} ${request.path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (settings.apiKey) headers['x-api-key'] = settings.apiKey;
    if (request.body !== undefined) headers['content-type'] = 'application/json';

    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(baseUrl + request.path, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(settings.timeoutMs),
        // A redirect would turn the POST into a GET elsewhere; the gateway has no reason to send one.
        redirect: 'manual',
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      throw networkFailure(where, request.writes, error, settings.timeoutMs);
    }

    const body = parseJson(text);
    if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
      if (body === undefined) {
        throw new NexError(
          'NEX_BAD_RESPONSE',
          `NEX gateway answered ${where} with ${status} but the body is not JSON` +
            (request.writes ? '; the invoice may have been stored, so reconcile before sending it again' : ''),
          { kind: 'transient', ambiguous: request.writes, status },
        );
      }
      return { status, body };
    }
    throw statusFailure(where, request.writes, status, body, retryAfter);
  }

  /** Through the breaker; its fast failure becomes a NexError like any other. */
  async function call(request: Request): Promise<Answer> {
    try {
      return await breaker.run(() => send(request));
    } catch (error) {
      if (error instanceof NexError) throw error;
      const where = `${request.method} ${request.path}`;
      if (isBreakerRejection(error)) {
        throw new NexError(
          'NEX_BREAKER_OPEN',
          `NEX gateway circuit breaker is open after repeated failures, so ${where} was not sent; ` +
            `a trial call is let through ${settings.breaker.resetTimeoutMs} ms after it opened`,
          { kind: 'transient', breakerOpen: true, cause: error },
        );
      }
      if (isBreakerShutdown(error)) {
        throw new NexError('NEX_CLIENT_SHUT_DOWN', `NEX gateway client is shut down, so ${where} was not sent`, {
          kind: 'transient',
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    async health() {
      const { body } = await call({ method: 'GET', path: '/api/v1/health', writes: false });
      const record = asRecord(body, 'GET /api/v1/health');
      const answer: HealthAnswer = { status: String(record.status ?? 'unknown') };
      if (typeof record.service === 'string') answer.service = record.service;
      if (typeof record.version === 'string') answer.version = record.version;
      return answer;
    },

    async barcode(ean) {
      const path = `/api/v1/barcodes/${encodeURIComponent(ean)}`;
      try {
        const { body } = await call({ method: 'GET', path, writes: false });
        const record = asRecord(body, `GET ${path}`);
        return {
          gs_code: Number(record.gs_code),
          bar_code: String(record.bar_code ?? ean),
          product_name: String(record.product_name ?? ''),
          product_supplier_code: stringOrNull(record.product_supplier_code),
        };
      } catch (error) {
        if (error instanceof NexError && error.status === 404) return null;
        throw error;
      }
    },

    async matchProduct(req) {
      const path = '/api/v1/products/match';
      const { body } = await call({ method: 'POST', path, body: req, writes: false });
      const record = asRecord(body, `POST ${path}`);
      return {
        is_match: record.is_match === true,
        confidence: Number(record.confidence ?? 0),
        confidence_level: String(record.confidence_level ?? 'low'),
        method: String(record.method ?? 'unknown'),
        product: record.product && typeof record.product === 'object' ? toProduct(record.product) : null,
        alternatives: Array.isArray(record.alternatives) ? record.alternatives.map(toAlternative) : [],
      };
    },

    async searchPartners(q) {
      const path = `/api/v1/partners/search?q=${encodeURIComponent(q)}`;
      const { body } = await call({ method: 'GET', path, writes: false });
      return dataList(body, `GET ${path}`).map((entry) => {
        const record = entry as Record<string, unknown>;
        return {
          pab_code: Number(record.pab_code),
          name: String(record.name ?? ''),
          ico: String(record.ico ?? ''),
          dic: stringOrNull(record.dic),
          ic_dph: stringOrNull(record.ic_dph),
        };
      });
    },

    async findDocuments(q) {
      const query = new URLSearchParams({ ext_num: q.ext_num, partner_ico: q.partner_ico });
      const path = `/api/v1/documents?${query}`;
      const { body } = await call({ method: 'GET', path, writes: false });
      return dataList(body, `GET ${path}`).map((entry) => {
        const record = entry as Record<string, unknown>;
        return {
          doc_number: String(record.doc_number ?? ''),
          ext_num: String(record.ext_num ?? ''),
          partner_ico: String(record.partner_ico ?? ''),
          total: decimalString(record.total),
          created_at: String(record.created_at ?? ''),
        };
      });
    },

    async importInvoice(payload, idempotencyKey) {
      const answer = await call({
        method: 'POST',
        path: IMPORT_PATH,
        body: payload,
        headers: { 'idempotency-key': idempotencyKey },
        writes: true,
        accept: [409],
      });
      if (answer.status === 409)
        return { kind: 'already_imported', documentNumber: conflictDocumentNumber(answer.body) };
      return { kind: 'stored', result: importResult(answer) };
    },

    breakerState: () => breaker.state(),
    onBreakerChange: (listener) => breaker.onChange(listener),
    shutdown: () => breaker.shutdown(),
  };
}

function networkFailure(where: string, writes: boolean, error: unknown, timeoutMs: number): NexError {
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

function statusFailure(
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

function importResult(answer: Answer): ImportResult {
  const where = `POST ${IMPORT_PATH}`;
  const record = asRecord(answer.body, where, true);
  const errors = Array.isArray(record.errors) ? gatewayFieldErrors({ errors: record.errors }) : [];
  if (record.status === 'failed') {
    const reasons = summarizeFieldErrors(errors);
    throw new NexError(
      'NEX_IMPORT_FAILED',
      `NEX gateway answered ${where} with ${answer.status} but the import failed${reasons ? `: ${reasons}` : ''}`,
      { kind: 'permanent', status: answer.status, gatewayErrors: errors },
    );
  }
  const documentNumber = stringOrNull(record.document_number);
  if (record.status !== 'success' && record.status !== 'partial' && documentNumber === null) {
    throw new NexError(
      'NEX_BAD_RESPONSE',
      `NEX gateway answered ${where} with ${answer.status} but neither a known status nor a document number; ` +
        'the invoice may have been stored, so reconcile before sending it again',
      { kind: 'transient', ambiguous: true, status: answer.status },
    );
  }
  return {
    status: record.status === 'partial' ? 'partial' : 'success',
    document_number: documentNumber,
    delivery_number: stringOrNull(record.delivery_number),
    products_created: Number(record.products_created ?? 0) || 0,
    warnings: Array.isArray(record.warnings) ? record.warnings.map(warningText) : [],
    errors,
  };
}

/** The number of the document NEX already holds, wherever the 409 body puts it. */
function conflictDocumentNumber(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  const detail = record.detail && typeof record.detail === 'object' ? (record.detail as Record<string, unknown>) : {};
  for (const candidate of [record.document_number, detail.document_number, record.doc_number, detail.doc_number]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  return null;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(body: unknown, where: string, writes = false): Record<string, unknown> {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new NexError(
    'NEX_BAD_RESPONSE',
    `NEX gateway answered ${where} with JSON that is not an object` +
      (writes ? '; the invoice may have been stored, so reconcile before sending it again' : ''),
    { kind: 'transient', ambiguous: writes },
  );
}

function dataList(body: unknown, where: string): unknown[] {
  const record = asRecord(body, where);
  if (!Array.isArray(record.data)) {
    throw new NexError('NEX_BAD_RESPONSE', `NEX gateway answered ${where} without a data list`, { kind: 'transient' });
  }
  return record.data.filter((entry) => entry && typeof entry === 'object');
}

function toProduct(value: unknown): MatchedProduct {
  const record = value as Record<string, unknown>;
  return { gs_code: Number(record.gs_code), name: String(record.name ?? ''), ean: stringOrNull(record.ean) };
}

function toAlternative(value: unknown): MatchAlternative {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return { ...toProduct(record), confidence: Number(record.confidence ?? 0) };
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** The gateway may send totals as numbers; we keep them as the decimal text it sent. */
function decimalString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function warningText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return JSON.stringify(value);
}
