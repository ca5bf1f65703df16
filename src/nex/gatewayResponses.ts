import { z } from 'zod';
import { gatewayFieldErrors, NexError } from './gatewayErrors.ts';
import type { BarcodeProduct, HealthAnswer, MatchResult, NexDocumentRef, Partner } from './gatewayTypes.ts';

/**
 * The gateway's answers, decoded by schema. The gateway is another team's service and older
 * versions leave fields out or send numbers where the contract says text, so the schemas are
 * lenient field by field (a missing name is '', a numeric total keeps its digits as text) and
 * strict only where a wrong answer would mislead: the body must be a JSON object, a list must
 * be a list. A body that fails is NEX_BAD_RESPONSE, transient, and ambiguous for a write.
 */

/** A field the gateway may leave out (the transform then sees undefined). */
const field = () => z.unknown().optional();
/** Text, whether the gateway sent text or a number; otherwise null. */
const textOrNull = field().transform((v): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null,
);
/** Any value as text, with a fallback when it is missing. */
const text = (fallback: string) => field().transform((v) => (v === undefined || v === null ? fallback : String(v)));
const number = (fallback?: number) =>
  field().transform((v) => Number(v === undefined || v === null ? (fallback ?? v) : v));
/** Money or quantities as the decimal text the gateway sent; never through a float of ours. */
const decimalText = field().transform((v) =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '',
);
const object = z.record(z.string(), z.unknown());

const product = z.object({ gs_code: number(), name: text(''), ean: textOrNull });

export const healthAnswer = object.transform((r): HealthAnswer => {
  const answer: HealthAnswer = { status: String(r.status ?? 'unknown') };
  if (typeof r.service === 'string') answer.service = r.service;
  if (typeof r.version === 'string') answer.version = r.version;
  return answer;
});

export const barcodeAnswer = (ean: string) =>
  z.object({
    gs_code: number(),
    bar_code: text(ean),
    product_name: text(''),
    product_supplier_code: textOrNull,
  }) satisfies z.ZodType<BarcodeProduct, unknown>;

export const matchAnswer = z.object({
  is_match: field().transform((v) => v === true),
  confidence: number(0),
  confidence_level: text('low'),
  method: text('unknown'),
  // Anything but an object is "no product", as the gateway sends null or leaves it out.
  product: field().transform((v) => (v && typeof v === 'object' ? product.parse(v) : null)),
  alternatives: field().transform((v) =>
    Array.isArray(v)
      ? v.map((entry) => {
          const record = entry && typeof entry === 'object' ? entry : {};
          return {
            ...product.parse(record),
            confidence: number(0).parse((record as { confidence?: unknown }).confidence),
          };
        })
      : [],
  ),
}) satisfies z.ZodType<MatchResult, unknown>;

/** A `{ data: [...] }` answer; entries that are not objects are left out. */
const dataList = <T>(entry: z.ZodType<T, unknown>) =>
  z.object({
    data: z
      .array(z.unknown())
      .transform((list) => list.filter((e) => e && typeof e === 'object').map((e) => entry.parse(e))),
  });

export const partnersAnswer = dataList(
  z.object({
    pab_code: number(),
    name: text(''),
    ico: text(''),
    dic: textOrNull,
    ic_dph: textOrNull,
  }) satisfies z.ZodType<Partner, unknown>,
);

export const documentsAnswer = dataList(
  z.object({
    doc_number: text(''),
    ext_num: text(''),
    partner_ico: text(''),
    total: decimalText,
    created_at: text(''),
  }) satisfies z.ZodType<NexDocumentRef, unknown>,
);

/** The import's answer before its status is judged (gatewayClient.ts decides failed / ambiguous). */
export const importAnswer = z.object({
  status: field(),
  document_number: textOrNull,
  delivery_number: textOrNull,
  products_created: field().transform((v) => Number(v ?? 0) || 0),
  warnings: field().transform((v) => (Array.isArray(v) ? v.map(warningText) : [])),
  errors: field().transform((v) => (Array.isArray(v) ? gatewayFieldErrors({ errors: v }) : [])),
});

/** 409: the number of the document NEX already holds, wherever the body puts it. */
export const conflictAnswer = z.unknown().transform((body): string | null => {
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  const detail = record.detail && typeof record.detail === 'object' ? (record.detail as Record<string, unknown>) : {};
  for (const candidate of [record.document_number, detail.document_number, record.doc_number, detail.doc_number]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  return null;
});

function warningText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return JSON.stringify(value);
}

/** Decodes an answer's body, or says what was wrong with it as a NexError. */
export function decodeAnswer<T>(schema: z.ZodType<T, unknown>, body: unknown, where: string, writes = false): T {
  const ambiguity = writes ? '; the invoice may have been stored, so reconcile before sending it again' : '';
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new NexError(
      'NEX_BAD_RESPONSE',
      `NEX gateway answered ${where} with JSON that is not an object${ambiguity}`,
      {
        kind: 'transient',
        ambiguous: writes,
      },
    );
  }
  const decoded = schema.safeParse(body);
  if (decoded.success) return decoded.data;
  const what = decoded.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new NexError(
    'NEX_BAD_RESPONSE',
    `NEX gateway answered ${where} with an unexpected body (${what})${ambiguity}`,
    {
      kind: 'transient',
      ambiguous: writes,
    },
  );
}
