import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { ImportPayload } from '../../src/nex/gatewayTypes.ts';

/**
 * A stand-in for the NEX Genesis gateway (shared/domain/nex-gateway.md) with fault injection,
 * for the writer's tests and for trying the daemon by hand (`npm run nex-simulator -- --help`).
 *
 * Like real NEX it stores duplicates happily unless told to honour the Idempotency-Key: the
 * writer alone has to prevent them, and tests count them in `documents`.
 */

export interface SimProduct {
  gs_code: number;
  name: string;
  ean: string | null;
  supplier_code: string | null;
}

export interface SimPartner {
  pab_code: number;
  name: string;
  ico: string;
  dic: string | null;
  ic_dph: string | null;
}

/** A window of outage, from `afterMs` after the faults were set, for `forMs` (or until cleared). */
export interface OutageWindow {
  afterMs?: number;
  forMs?: number;
  /** Refuse connections (the listener is closed) instead of answering 503. Hits every endpoint. */
  refuse?: boolean;
}

export interface NexFaults {
  /** Added before each answer: a fixed delay or a uniform [min, max]. */
  latencyMs?: number | [number, number];
  /** Share of requests answered 500/502/503. */
  error5xxRate?: number;
  /** Share of requests never answered and (for the import) not stored; the socket stays open until the client gives up. */
  timeoutRate?: number;
  /** Share of imports stored and then answered by destroying the socket: the outcome is ambiguous to the client. */
  resetAfterStoreRate?: number;
  /** Share of imports answered 400 with made-up reasons although the payload is valid. */
  validationErrorRate?: number;
  /** Share of imports answered 200 with `status: "failed"` (not stored). */
  failedStatusRate?: number;
  /** Share of requests answered 429 with `Retry-After: retryAfterS`. */
  rate429?: { rate: number; retryAfterS: number };
  /** true: every request 503 until cleared; or a window, optionally refusing connections. */
  outage?: boolean | OutageWindow;
  /** Faults hit only the import unless this is set; then the reads get them too. */
  applyToReads?: boolean;
}

export interface StoredDocument {
  documentNumber: string;
  deliveryNumber: string;
  extNum: string;
  partnerIco: string;
  total: string;
  createdAt: string;
  idempotencyKey: string | null;
  payload: Record<string, unknown>;
}

export type SimEndpoint = 'health' | 'barcode' | 'match' | 'partners' | 'documents' | 'import' | 'other';

export interface NexSimulatorOptions {
  apiKey: string;
  /** 0 or absent: the OS picks one. */
  port?: number;
  host?: string;
  /** Seed of the fault dice; the same seed and the same requests give the same faults. */
  seed?: number;
  catalog?: SimProduct[];
  partners?: SimPartner[];
  faults?: NexFaults;
  /** Answer a repeated Idempotency-Key with 409 and the earlier document number. Real NEX does not. */
  honourIdempotencyKey?: boolean;
}

export interface NexSimulator {
  url: string;
  port: number;
  /** Every stored document with its full payload, in order; duplicates included. */
  documents: StoredDocument[];
  /** requests[endpoint][outcome] = count. Outcomes: ok, stored, not_found, unauthorized, validation_error, conflict, failed, server_error, rate_limited, timeout, reset_after_store, outage, bad_request. */
  requests: Record<SimEndpoint, Record<string, number>>;
  requestCount(endpoint: SimEndpoint, outcome?: string): number;
  catalog: SimProduct[];
  partners: SimPartner[];
  setFaults(faults: Partial<NexFaults>): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export const defaultCatalog: SimProduct[] = [
  { gs_code: 1001, name: 'Mlieko polotučné 1,5% 1l', ean: '8586000000017', supplier_code: 'MK-101' },
  { gs_code: 1002, name: 'Chlieb tmavý krájaný 500g', ean: '8586000000024', supplier_code: 'PK-202' },
  { gs_code: 1003, name: 'Jogurt biely 150g', ean: '8586000000031', supplier_code: 'MK-105' },
  { gs_code: 1004, name: 'Maslo 82% 250g', ean: '8586000000048', supplier_code: 'MK-110' },
  { gs_code: 1005, name: 'Káva zrnková 1kg', ean: '8586000000055', supplier_code: 'KV-001' },
  { gs_code: 1006, name: 'Minerálna voda perlivá 1,5l', ean: '8586000000062', supplier_code: null },
];

export const defaultPartners: SimPartner[] = [
  { pab_code: 101, name: 'Mliekareň Kolárovo a.s.', ico: '36211451', dic: '2020177082', ic_dph: 'SK2020177082' },
  { pab_code: 102, name: 'Pekáreň Komárno s.r.o.', ico: '31411665', dic: '2020398458', ic_dph: 'SK2020398458' },
  { pab_code: 103, name: 'Káva Trade s.r.o.', ico: '44556677', dic: '2022778899', ic_dph: null },
];

/** A valid import payload (amounts as decimal strings, as the writer sends them); override what a test needs. */
export function sampleInvoicePayload(overrides: Partial<ImportPayload> = {}): ImportPayload {
  return {
    invoice_number: 'FV2026-0042',
    invoice_date: '2026-11-20',
    due_date: '2026-12-04',
    tax_point_date: '2026-11-20',
    variable_symbol: '20260042',
    constant_symbol: '0308',
    note: null,
    total_amount: '3.60',
    total_vat: '0.60',
    total_without_vat: '3.00',
    currency: 'EUR',
    supplier: {
      name: 'Mliekareň Kolárovo a.s.',
      ico: '36211451',
      dic: '2020177082',
      ic_dph: 'SK2020177082',
      street: 'Mliekarenská 1',
      city: 'Kolárovo',
      zip: '94603',
      country: 'SK',
    },
    customer: {
      name: 'Obchod u Nexu s.r.o.',
      ico: '12345678',
      dic: '2021234567',
      ic_dph: 'SK2021234567',
      street: 'Hlavná 5',
      city: 'Komárno',
      zip: '94501',
      country: 'SK',
    },
    items: [
      {
        line_number: 1,
        item_code: 'MK-101',
        item_name: 'Mlieko polotučné 1,5% 1l',
        quantity: '3',
        unit: 'ks',
        unit_price: '1.00',
        vat_rate: '20',
        line_total: '3.00',
        ean: '8586000000017',
        gs_code: 1001,
      },
    ],
    ...overrides,
  };
}

/** mulberry32: tiny, fast and good enough for fault dice; the point is repeatability. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lowercase, diacritics folded ("Mlieko polotučné" → "mlieko polotucne"), punctuation to spaces. */
export function foldName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Sørensen–Dice coefficient on character bigrams of the folded names (spaces ignored), 0..1. */
export function diceSimilarity(a: string, b: string): number {
  const left = foldName(a).replace(/ /g, '');
  const right = foldName(b).replace(/ /g, '');
  if (left === right) return left.length > 0 ? 1 : 0;
  if (left.length < 2 || right.length < 2) return 0;
  const bigrams = new Map<string, number>();
  for (let i = 0; i < left.length - 1; i++) {
    const pair = left.slice(i, i + 2);
    bigrams.set(pair, (bigrams.get(pair) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < right.length - 1; i++) {
    const pair = right.slice(i, i + 2);
    const remaining = bigrams.get(pair) ?? 0;
    if (remaining > 0) {
      bigrams.set(pair, remaining - 1);
      shared++;
    }
  }
  return (2 * shared) / (left.length - 1 + (right.length - 1));
}

function confidenceLevel(confidence: number): 'high' | 'medium' | 'low' {
  if (confidence >= 0.85) return 'high';
  if (confidence >= 0.6) return 'medium';
  return 'low';
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const isDecimal = (value: unknown) =>
  (typeof value === 'string' && DECIMAL.test(value.trim())) || (typeof value === 'number' && Number.isFinite(value));
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

type FieldError = { field: string; message: string; value?: unknown };

/** The contract's required fields and amount formats; money may come as a decimal string or a number. */
function validateImport(body: unknown): FieldError[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return [{ field: 'body', message: 'must be a JSON object' }];
  }
  const invoice = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (!isText(invoice.invoice_number)) {
    errors.push({ field: 'invoice_number', message: 'is required', value: invoice.invoice_number ?? null });
  }
  if (
    invoice.invoice_date != null &&
    !(typeof invoice.invoice_date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(invoice.invoice_date))
  ) {
    errors.push({ field: 'invoice_date', message: 'must be a date YYYY-MM-DD', value: invoice.invoice_date });
  }
  const supplier = invoice.supplier as Record<string, unknown> | undefined;
  if (!supplier || typeof supplier !== 'object' || !isText(supplier.ico)) {
    errors.push({ field: 'supplier.ico', message: 'is required', value: supplier?.ico ?? null });
  }
  for (const field of ['total_amount', 'total_vat', 'total_without_vat']) {
    if (invoice[field] != null && !isDecimal(invoice[field])) {
      errors.push({ field, message: 'must be a decimal amount', value: invoice[field] });
    }
  }
  if (!Array.isArray(invoice.items) || invoice.items.length === 0) {
    errors.push({ field: 'items', message: 'at least one item is required', value: invoice.items ?? null });
    return errors;
  }
  invoice.items.forEach((raw: unknown, index: number) => {
    const item = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    if (!isText(item.item_name)) {
      errors.push({ field: `items[${index}].item_name`, message: 'is required', value: item.item_name ?? null });
    }
    for (const field of ['quantity', 'unit_price', 'vat_rate', 'line_total']) {
      if (item[field] != null && !isDecimal(item[field])) {
        errors.push({ field: `items[${index}].${field}`, message: 'must be a decimal number', value: item[field] });
      }
    }
  });
  return errors;
}

/** One roll of every die for one request, always in the same order, so a seed replays exactly. */
interface Dice {
  rateLimit: number;
  serverError: number;
  serverErrorStatus: number;
  timeout: number;
  validation: number;
  failed: number;
  reset: number;
  latency: number;
}

export async function startNexSimulator(options: NexSimulatorOptions): Promise<NexSimulator> {
  const host = options.host ?? '127.0.0.1';
  const random = seededRandom(options.seed ?? 1);
  const catalog = (options.catalog ?? defaultCatalog).map((p) => ({ ...p }));
  const partners = (options.partners ?? defaultPartners).map((p) => ({ ...p }));
  const documents: StoredDocument[] = [];
  const byIdempotencyKey = new Map<string, string>();
  const year = String(new Date().getFullYear() % 100).padStart(2, '0');
  let serial = 0;

  const endpoints: SimEndpoint[] = ['health', 'barcode', 'match', 'partners', 'documents', 'import', 'other'];
  const requests = Object.fromEntries(endpoints.map((e) => [e, {}])) as Record<SimEndpoint, Record<string, number>>;
  const count = (endpoint: SimEndpoint, outcome: string) => {
    requests[endpoint][outcome] = (requests[endpoint][outcome] ?? 0) + 1;
  };

  let faults: NexFaults = {};
  let faultsSetAt = Date.now();
  const outageTimers = new Set<NodeJS.Timeout>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  const heldResponses = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let closed = false;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) reply(res, 500, { detail: `simulator bug: ${String(error)}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let listening = false;
  /** Listener changes run one after the other: an outage window may stop and restart it quickly. */
  let listenerChange: Promise<void> = Promise.resolve();
  let listenError: unknown;
  let port = options.port ?? 0;
  const queue = (change: () => Promise<void>) =>
    (listenerChange = listenerChange.then(change).catch((error: unknown) => {
      listenError = error;
    }));

  const startListening = () =>
    queue(async () => {
      if (listening || closed) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as { port: number }).port;
      listening = true;
    });
  const stopListening = () =>
    queue(async () => {
      if (!listening) return;
      listening = false;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of heldResponses) response.destroy();
      for (const socket of sockets) socket.destroy();
      await done;
    });

  function scheduleOutage() {
    for (const timer of outageTimers) clearTimeout(timer);
    outageTimers.clear();
    const outage = faults.outage;
    if (!outage || outage === true || !outage.refuse) {
      void startListening();
      return;
    }
    const at = (ms: number, action: () => void) => {
      const timer = setTimeout(() => {
        outageTimers.delete(timer);
        action();
      }, ms);
      outageTimers.add(timer);
    };
    const start = outage.afterMs ?? 0;
    if (start > 0) at(start, () => void stopListening());
    else void stopListening();
    if (outage.forMs !== undefined) at(start + outage.forMs, () => void startListening());
  }

  function answersOutage(): boolean {
    const outage = faults.outage;
    if (outage === true) return true;
    if (!outage || outage.refuse) return false;
    const elapsed = Date.now() - faultsSetAt;
    const start = outage.afterMs ?? 0;
    return elapsed >= start && (outage.forMs === undefined || elapsed < start + outage.forMs);
  }

  function roll(): Dice {
    return {
      rateLimit: random(),
      serverError: random(),
      serverErrorStatus: random(),
      timeout: random(),
      validation: random(),
      failed: random(),
      reset: random(),
      latency: random(),
    };
  }

  function delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });
  }

  function route(method: string, pathname: string): { endpoint: SimEndpoint; param?: string } {
    if (method === 'GET' && pathname === '/api/v1/health') return { endpoint: 'health' };
    const barcode = /^\/api\/v1\/barcodes\/([^/]+)$/.exec(pathname);
    if (method === 'GET' && barcode) return { endpoint: 'barcode', param: decodeURIComponent(barcode[1]!) };
    if (method === 'POST' && pathname === '/api/v1/products/match') return { endpoint: 'match' };
    if (method === 'GET' && pathname === '/api/v1/partners/search') return { endpoint: 'partners' };
    if (method === 'GET' && pathname === '/api/v1/documents') return { endpoint: 'documents' };
    if (method === 'POST' && pathname === '/api/v1/invoices/import') return { endpoint: 'import' };
    return { endpoint: 'other' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const { endpoint, param } = route(req.method ?? 'GET', url.pathname);
    const text = await readBody(req);
    const faulty = endpoint === 'import' || faults.applyToReads === true;

    if (faulty && answersOutage()) {
      count(endpoint, 'outage');
      return reply(res, 503, { detail: 'NEX gateway is unavailable (simulated outage)' });
    }
    const dice = faulty ? roll() : undefined;
    const latency = faults.latencyMs;
    if (dice && latency !== undefined) {
      const [min, max] = Array.isArray(latency) ? latency : [latency, latency];
      await delay(Math.round(min + (max - min) * dice.latency));
    }
    if (closed || res.destroyed) return;

    if (req.headers['x-api-key'] !== options.apiKey) {
      count(endpoint, 'unauthorized');
      return reply(res, 401, { detail: 'Invalid or missing API key' });
    }

    if (dice) {
      if (faults.rate429 && dice.rateLimit < faults.rate429.rate) {
        count(endpoint, 'rate_limited');
        return reply(res, 429, { detail: 'Too many requests' }, { 'retry-after': String(faults.rate429.retryAfterS) });
      }
      if (dice.serverError < (faults.error5xxRate ?? 0)) {
        count(endpoint, 'server_error');
        const status = [500, 502, 503][Math.floor(dice.serverErrorStatus * 3)]!;
        return reply(res, status, { detail: `Simulated gateway failure (${status})` });
      }
      if (dice.timeout < (faults.timeoutRate ?? 0)) {
        count(endpoint, 'timeout');
        heldResponses.add(res);
        res.on('close', () => heldResponses.delete(res));
        return;
      }
    }

    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        count(endpoint, 'bad_request');
        return reply(res, 400, {
          detail: { message: 'Invalid JSON', errors: [{ field: 'body', message: 'is not valid JSON' }] },
        });
      }
    }

    switch (endpoint) {
      case 'health':
        count(endpoint, 'ok');
        return reply(res, 200, { status: 'healthy', service: 'nex-gateway-simulator', version: '1.0.0' });
      case 'barcode':
        return barcodeAnswer(res, param!);
      case 'match':
        return matchAnswer(res, body);
      case 'partners':
        return partnersAnswer(res, url.searchParams.get('q') ?? '');
      case 'documents':
        return documentsAnswer(res, url.searchParams);
      case 'import':
        return importAnswer(req, res, body, dice!);
      default:
        count('other', 'not_found');
        return reply(res, 404, { detail: `No route ${req.method} ${url.pathname}` });
    }
  }

  function barcodeAnswer(res: ServerResponse, ean: string) {
    const product = catalog.find((p) => p.ean === ean);
    if (!product) {
      count('barcode', 'not_found');
      return reply(res, 404, { detail: `Barcode ${ean} not found` });
    }
    count('barcode', 'ok');
    return reply(res, 200, {
      gs_code: product.gs_code,
      bar_code: product.ean,
      product_name: product.name,
      product_supplier_code: product.supplier_code,
    });
  }

  function matchAnswer(res: ServerResponse, body: unknown) {
    const request = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (!isText(request.original_name) && !isText(request.original_ean)) {
      count('match', 'validation_error');
      return reply(res, 400, {
        detail: {
          message: 'Validation failed',
          errors: [{ field: 'original_name', message: 'original_name or original_ean is required' }],
        },
      });
    }
    count('match', 'ok');
    const minConfidence = typeof request.min_confidence === 'number' ? request.min_confidence : 0.6;
    const view = (p: SimProduct) => ({ gs_code: p.gs_code, name: p.name, ean: p.ean });
    const byEan = isText(request.original_ean) ? catalog.find((p) => p.ean === request.original_ean) : undefined;
    const name = isText(request.original_name) ? request.original_name : '';
    const ranked = catalog
      .map((product) => ({ product, confidence: Math.round(diceSimilarity(name, product.name) * 1000) / 1000 }))
      .filter((entry) => entry.confidence > 0)
      .sort((a, b) => b.confidence - a.confidence || a.product.gs_code - b.product.gs_code);
    if (byEan) {
      return reply(res, 200, {
        is_match: true,
        confidence: 1,
        confidence_level: 'high',
        method: 'ean',
        product: view(byEan),
        alternatives: ranked
          .filter((e) => e.product !== byEan && e.confidence >= 0.3)
          .slice(0, 3)
          .map((e) => ({ ...view(e.product), confidence: e.confidence })),
      });
    }
    const best = ranked[0];
    const isMatch = best !== undefined && best.confidence >= minConfidence;
    return reply(res, 200, {
      is_match: isMatch,
      confidence: best?.confidence ?? 0,
      confidence_level: confidenceLevel(best?.confidence ?? 0),
      method: best ? 'name' : 'none',
      product: isMatch ? view(best.product) : null,
      alternatives: ranked
        .slice(isMatch ? 1 : 0)
        .filter((e) => e.confidence >= 0.3)
        .slice(0, 3)
        .map((e) => ({ ...view(e.product), confidence: e.confidence })),
    });
  }

  function partnersAnswer(res: ServerResponse, q: string) {
    const needle = foldName(q);
    const found = needle
      ? partners.filter((p) => p.ico === q.trim() || foldName(p.name).includes(needle) || p.ic_dph === q.trim())
      : [];
    count('partners', 'ok');
    return reply(res, 200, { data: found, total_items: found.length });
  }

  function documentsAnswer(res: ServerResponse, query: URLSearchParams) {
    const extNum = query.get('ext_num');
    const partnerIco = query.get('partner_ico');
    if (!extNum && !partnerIco) {
      count('documents', 'validation_error');
      return reply(res, 400, {
        detail: {
          message: 'Validation failed',
          errors: [{ field: 'ext_num', message: 'ext_num or partner_ico is required' }],
        },
      });
    }
    count('documents', 'ok');
    const data = documents
      .filter((d) => (!extNum || d.extNum === extNum) && (!partnerIco || d.partnerIco === partnerIco))
      .map((d) => ({
        doc_number: d.documentNumber,
        ext_num: d.extNum,
        partner_ico: d.partnerIco,
        total: d.total,
        created_at: d.createdAt,
      }));
    return reply(res, 200, { data });
  }

  function importAnswer(req: IncomingMessage, res: ServerResponse, body: unknown, dice: Dice) {
    if (dice.validation < (faults.validationErrorRate ?? 0)) {
      count('import', 'validation_error');
      return reply(res, 400, {
        detail: {
          message: 'Validation failed',
          errors: [
            { field: 'items[0].vat_rate', message: 'VAT rate is not defined in NEX (simulated)', value: 'simulated' },
            { field: 'supplier.ico', message: 'Partner is blocked for import (simulated)' },
          ],
        },
      });
    }
    const errors = validateImport(body);
    if (errors.length > 0) {
      count('import', 'validation_error');
      return reply(res, 400, { detail: { message: 'Validation failed', errors } });
    }
    const invoice = body as Record<string, unknown> & { items: Array<Record<string, unknown>> };
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' && keyHeader ? keyHeader : null;
    if (options.honourIdempotencyKey && key && byIdempotencyKey.has(key)) {
      count('import', 'conflict');
      const documentNumber = byIdempotencyKey.get(key)!;
      return reply(res, 409, { detail: { message: 'Invoice already imported', document_number: documentNumber } });
    }
    if (dice.failed < (faults.failedStatusRate ?? 0)) {
      count('import', 'failed');
      return reply(res, 200, {
        status: 'failed',
        delivery_number: null,
        document_number: null,
        products_created: 0,
        warnings: [],
        errors: [{ field: 'items', message: 'NEX could not write the document (simulated Btrieve lock)', value: null }],
      });
    }

    const warnings: string[] = [];
    let productsCreated = 0;
    // NEX creates a product card for an item it cannot place by EAN or by its exact name.
    const knownProduct = (item: Record<string, unknown>) =>
      catalog.some(
        (p) => (isText(item.ean) && p.ean === item.ean) || foldName(p.name) === foldName(String(item.item_name)),
      );
    invoice.items.forEach((item, index) => {
      const gsCode = item.gs_code;
      if (gsCode != null && !catalog.some((p) => p.gs_code === Number(gsCode))) {
        warnings.push(`items[${index}].gs_code: product ${String(gsCode)} is not in the catalog`);
      } else if (gsCode == null && !knownProduct(item)) {
        productsCreated++;
        catalog.push({
          gs_code: Math.max(0, ...catalog.map((p) => p.gs_code)) + 1,
          name: String(item.item_name),
          ean: isText(item.ean) ? item.ean : null,
          supplier_code: isText(item.item_code) ? item.item_code : null,
        });
      }
    });

    serial++;
    const documentNumber = `DD${year}001${String(serial).padStart(5, '0')}`;
    const supplier = invoice.supplier as Record<string, unknown>;
    documents.push({
      documentNumber,
      deliveryNumber: documentNumber,
      extNum: String(invoice.invoice_number),
      partnerIco: String(supplier.ico),
      total: invoice.total_amount == null ? '0' : String(invoice.total_amount).trim(),
      createdAt: new Date().toISOString(),
      idempotencyKey: key,
      payload: invoice,
    });
    if (key && !byIdempotencyKey.has(key)) byIdempotencyKey.set(key, documentNumber);

    if (dice.reset < (faults.resetAfterStoreRate ?? 0)) {
      count('import', 'reset_after_store');
      req.socket.destroy();
      return;
    }
    count('import', 'stored');
    return reply(res, 201, {
      status: warnings.length ? 'partial' : 'success',
      // The gateway books the import as a supplier delivery (DD); both fields carry its number.
      delivery_number: documentNumber,
      document_number: documentNumber,
      products_created: productsCreated,
      warnings,
      errors: [],
    });
  }

  await startListening();
  if (listenError) throw listenError;
  faults = { ...options.faults };
  faultsSetAt = Date.now();
  scheduleOutage();
  await listenerChange;

  return {
    get url() {
      return `http://${host}:${port}`;
    },
    get port() {
      return port;
    },
    documents,
    requests,
    requestCount(endpoint, outcome) {
      const counts = requests[endpoint];
      if (outcome !== undefined) return counts[outcome] ?? 0;
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    },
    catalog,
    partners,
    setFaults(partial) {
      faults = { ...faults, ...partial };
      if ('outage' in partial) {
        faultsSetAt = Date.now();
        scheduleOutage();
      }
    },
    clearFaults() {
      faults = {};
      scheduleOutage();
    },
    async close() {
      closed = true;
      for (const timer of [...outageTimers, ...pendingTimers]) clearTimeout(timer);
      outageTimers.clear();
      pendingTimers.clear();
      await listenerChange;
      for (const response of heldResponses) response.destroy();
      for (const socket of sockets) socket.destroy();
      if (listening) {
        listening = false;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

const usage = `Usage: node test/support/nexSimulator.ts --api-key KEY [--port 8000] [--seed 1]
  [--error-5xx RATE] [--timeouts RATE] [--reset-after-store RATE] [--validation-errors RATE]
  [--rate-429 RATE] [--retry-after S] [--latency MS | --latency MIN-MAX] [--honour-idempotency] [--apply-to-reads]
A simulated NEX gateway (shared/domain/nex-gateway.md); runs until Ctrl+C.`;

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      seed: { type: 'string', default: '1' },
      'error-5xx': { type: 'string' },
      timeouts: { type: 'string' },
      'reset-after-store': { type: 'string' },
      'validation-errors': { type: 'string' },
      'rate-429': { type: 'string' },
      'retry-after': { type: 'string', default: '1' },
      latency: { type: 'string' },
      'honour-idempotency': { type: 'boolean', default: false },
      'apply-to-reads': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values['api-key']) {
    console.log(usage);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const rate = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be a share between 0 and 1, not ${value}`);
    return n;
  };
  const faults: NexFaults = { applyToReads: values['apply-to-reads'] };
  faults.error5xxRate = rate('error-5xx', values['error-5xx']);
  faults.timeoutRate = rate('timeouts', values.timeouts);
  faults.resetAfterStoreRate = rate('reset-after-store', values['reset-after-store']);
  faults.validationErrorRate = rate('validation-errors', values['validation-errors']);
  const rate429 = rate('rate-429', values['rate-429']);
  if (rate429 !== undefined) faults.rate429 = { rate: rate429, retryAfterS: Number(values['retry-after']) };
  if (values.latency !== undefined) {
    const [min, max] = values.latency.split('-').map(Number);
    faults.latencyMs = max === undefined ? min! : [min!, max];
  }
  const simulator = await startNexSimulator({
    apiKey: values['api-key'],
    port: Number(values.port),
    host: values.host,
    seed: Number(values.seed),
    honourIdempotencyKey: values['honour-idempotency'],
    faults,
  });
  console.log(`NEX gateway simulator listening on ${simulator.url} (Ctrl+C to stop)`);
  process.once('SIGINT', () => {
    console.log(`\nrequests: ${JSON.stringify(simulator.requests)}; documents stored: ${simulator.documents.length}`);
    void simulator.close().then(() => process.exit(0));
  });
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
