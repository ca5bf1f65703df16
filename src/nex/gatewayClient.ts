import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import { createGatewayBreaker, isBreakerRejection, isBreakerShutdown, type BreakerState } from './breaker.ts';
import { NexError, networkFailure, statusFailure, summarizeFieldErrors } from './gatewayErrors.ts';
import {
  barcodeAnswer,
  conflictAnswer,
  decodeAnswer,
  documentsAnswer,
  healthAnswer,
  importAnswer,
  matchAnswer,
  partnersAnswer,
} from './gatewayResponses.ts';
import type {
  BarcodeProduct,
  HealthAnswer,
  ImportOutcome,
  ImportPayload,
  ImportResult,
  MatchRequest,
  MatchResult,
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

  /** Through the breaker (counted unless `counted` is false); its fast failure becomes a NexError like any other. */
  async function call(request: Request, counted = true): Promise<Answer> {
    try {
      return await (counted ? breaker.run(() => send(request)) : breaker.runUncounted(() => send(request)));
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
      return decodeAnswer(healthAnswer, body, 'GET /api/v1/health');
    },

    async barcode(ean) {
      const path = `/api/v1/barcodes/${encodeURIComponent(ean)}`;
      try {
        const { body } = await call({ method: 'GET', path, writes: false });
        return decodeAnswer(barcodeAnswer(ean), body, `GET ${path}`);
      } catch (error) {
        if (error instanceof NexError && error.status === 404) return null;
        throw error;
      }
    },

    async matchProduct(req) {
      const path = '/api/v1/products/match';
      const { body } = await call({ method: 'POST', path, body: req, writes: false });
      return decodeAnswer(matchAnswer, body, `POST ${path}`);
    },

    async searchPartners(q) {
      const path = `/api/v1/partners/search?q=${encodeURIComponent(q)}`;
      const { body } = await call({ method: 'GET', path, writes: false });
      return decodeAnswer(partnersAnswer, body, `GET ${path}`).data;
    },

    async findDocuments(q) {
      const query = new URLSearchParams({ ext_num: q.ext_num, partner_ico: q.partner_ico });
      const path = `/api/v1/documents?${query}`;
      // Reconciliation after an ambiguous import: not counted by the breaker (breaker.ts runUncounted).
      const { body } = await call({ method: 'GET', path, writes: false }, false);
      return decodeAnswer(documentsAnswer, body, `GET ${path}`).data;
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
      if (answer.status === 409) return { kind: 'already_imported', documentNumber: conflictAnswer.parse(answer.body) };
      return { kind: 'stored', result: importResult(answer) };
    },

    breakerState: () => breaker.state(),
    onBreakerChange: (listener) => breaker.onChange(listener),
    shutdown: () => breaker.shutdown(),
  };
}

function importResult(answer: Answer): ImportResult {
  const where = `POST ${IMPORT_PATH}`;
  const record = decodeAnswer(importAnswer, answer.body, where, true);
  if (record.status === 'failed') {
    const reasons = summarizeFieldErrors(record.errors);
    throw new NexError(
      'NEX_IMPORT_FAILED',
      `NEX gateway answered ${where} with ${answer.status} but the import failed${reasons ? `: ${reasons}` : ''}`,
      { kind: 'permanent', status: answer.status, gatewayErrors: record.errors },
    );
  }
  if (record.status !== 'success' && record.status !== 'partial' && record.document_number === null) {
    throw new NexError(
      'NEX_BAD_RESPONSE',
      `NEX gateway answered ${where} with ${answer.status} but neither a known status nor a document number; ` +
        'the invoice may have been stored, so reconcile before sending it again',
      { kind: 'transient', ambiguous: true, status: answer.status },
    );
  }
  return { ...record, status: record.status === 'partial' ? 'partial' : 'success' };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
