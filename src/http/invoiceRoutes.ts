import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { assertStatus, getDocumentContent, getInvoice, listInvoices } from '../db/invoiceQueries.ts';
import type { ReceiveResult } from '../db/invoiceStore.ts';
import type { Ingest } from '../intake/ingest.ts';
import { hasAcceptedExtension, NOT_AN_INVOICE_TYPE } from '../intake/mediaType.ts';
import { safeFilename } from '../intake/safeFilename.ts';
import { asRequestRefused, RequestRefused } from './requestRefused.ts';
import { uploadRateLimitHook, type UploadRateLimit } from './uploadRateLimit.ts';
import { PG } from '../db/pgErrorCodes.ts';
import { errorCode } from '../errors.ts';

/**
 * The HTTP intake (`POST /api/invoices`, and `POST /invoice` for the n8n workflows that
 * predate it) and the invoice reads. app.ts registers them behind sign-in, whose hook refuses
 * a caller without the route's role before a byte of the body is read.
 */
export interface InvoiceRouteDeps {
  ingest: Ingest;
  pool: () => pg.Pool;
  maxUploadMb: number;
  /** http.uploadRateLimit; none: uploads are not counted. */
  uploadRateLimit?: UploadRateLimit | undefined;
}

interface Upload {
  bytes: Buffer;
  filename: string;
  fields: Record<string, unknown>;
}

const MIB = 1024 * 1024;
// Room for the text fields and JSON punctuation around file_b64.
const JSON_SLACK_BYTES = 64 * 1024;
// MIME-style base64 breaks its lines every 76 characters with CRLF: 2/76 ≈ 2.6 % more.
const LINE_BREAK_ALLOWANCE = 1.03;

const TEXT_OR_NULL = { type: ['string', 'null'] };

/**
 * The JSON upload's shape; a multipart form is read part by part by readMultipart. What is
 * missing (file, filename) is left to readJson, whose answers name the field and what to send.
 */
const UPLOAD_SCHEMA = {
  body: {
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            file_b64: { type: 'string' },
            filename: { type: 'string' },
            message_id: TEXT_OR_NULL,
            from: TEXT_OR_NULL,
            subject: TEXT_OR_NULL,
            received_date: TEXT_OR_NULL,
          },
        },
      },
    },
  },
};

// Status and limit stay text here so that the handler's answers name the valid values.
const LIST_SCHEMA = {
  querystring: { type: 'object', properties: { status: { type: 'string' }, limit: { type: 'string' } } },
};

/** Not a UUID pattern: an id that is not one is simply not found (404), as it always was. */
export const INVOICE_ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id'],
};

// A JSON body past its route's bodyLimit, and a multipart file past limits.fileSize.
const SIZE_ERRORS = new Set(['FST_ERR_CTP_BODY_TOO_LARGE', 'FST_REQ_FILE_TOO_LARGE']);

export function registerInvoiceRoutes(app: FastifyInstance, deps: InvoiceRouteDeps): void {
  const maxBytes = Math.floor(deps.maxUploadMb * MIB);
  const tooLarge = () =>
    new RequestRefused(
      'FILE_TOO_LARGE',
      `The file is larger than the upload limit of ${deps.maxUploadMb} MB (intake.http.maxUploadMb).`,
    );
  // The JSON body must fit a whole base64 file, so that the limit is reported by our own check.
  const jsonBodyLimit = Math.ceil(Math.ceil((maxBytes * 4) / 3) * LINE_BREAK_ALLOWANCE) + JSON_SLACK_BYTES;

  // Its own plugin scope: the multipart parser and the error mapping apply to these routes only.
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes } });
    const limited = deps.uploadRateLimit ? [await uploadRateLimitHook(scope, deps.uploadRateLimit)] : [];

    scope.setErrorHandler((error: FastifyError) => {
      // Thrown on to app.ts's handler, which writes every error answer the same way.
      if (SIZE_ERRORS.has(error.code)) throw tooLarge();
      throw asRequestRefused(error);
    });

    const receive = async (request: FastifyRequest) => {
      const upload = request.isMultipart() ? await readMultipart(request) : readJson(request.body, maxBytes, tooLarge);
      refuseUnreadable(upload);
      const messageId = optionalText(upload.fields, 'message_id');
      const receivedDate = optionalText(upload.fields, 'received_date');
      const arrival = {
        bytes: upload.bytes,
        filename: upload.filename,
        channel: 'http' as const,
        sender: optionalText(upload.fields, 'from'),
        subject: optionalText(upload.fields, 'subject'),
        messageId,
        sentAt: receivedDate === null ? null : parseReceivedDate(receivedDate),
        // A client that retries after losing our answer sends the same message again: a replay, not a duplicate.
        intakeRef: messageId,
      };
      try {
        return await deps.ingest(arrival);
      } catch (error) {
        // Two retries of one message raced and the other committed first; asking again finds it as a replay.
        if (errorCode(error) === PG.uniqueViolation && messageId !== null) return deps.ingest(arrival);
        throw error;
      }
    };

    // The rate limit runs after the signed-in context's access hook, before the body is read.
    const intake = {
      bodyLimit: jsonBodyLimit,
      config: { role: 'operator' as const },
      schema: UPLOAD_SCHEMA,
      onRequest: limited,
    };

    scope.post('/api/invoices', intake, async (request, reply) => {
      const answer = receiptAnswer(await receive(request));
      return reply.code(answer.statusCode).send(answer.body);
    });

    scope.post('/invoice', intake, async (request, reply) => {
      const result = await receive(request);
      const answer = receiptAnswer(result);
      // The n8n workflows branch on `success`.
      return reply.code(answer.statusCode).send({ success: true, message: receiptSentence(result), ...answer.body });
    });

    scope.get<{ Querystring: { status?: string; limit?: string } }>(
      '/api/invoices',
      { config: { role: 'viewer' }, schema: LIST_SCHEMA },
      async (request) => {
        const { status, limit } = request.query;
        if (limit !== undefined && limit !== '' && !/^\d+$/.test(limit)) {
          throw new RequestRefused('INVALID_LIMIT', `limit must be a whole number from 1 to 1000, not "${limit}".`);
        }
        const invoices = await listInvoices(deps.pool(), {
          status: status ? assertStatus(status) : undefined,
          limit: limit ? Number(limit) : undefined,
        });
        return { invoices };
      },
    );

    const read = { config: { role: 'viewer' as const }, schema: { params: INVOICE_ID_PARAMS } };

    scope.get<{ Params: { id: string } }>('/api/invoices/:id', read, async (request) => {
      const invoice = await getInvoice(deps.pool(), request.params.id);
      if (!invoice) throw notFound(request.params.id);
      return invoice;
    });

    scope.get<{ Params: { id: string } }>('/api/invoices/:id/document', read, async (request, reply) => {
      const document = await getDocumentContent(deps.pool(), request.params.id);
      if (!document) throw notFound(request.params.id);
      return reply
        .type(document.mediaType)
        .header('content-disposition', attachmentDisposition(document.filename))
        .header('x-content-type-options', 'nosniff')
        .send(document.bytes);
    });
  });
}

function notFound(id: string): RequestRefused {
  return new RequestRefused('INVOICE_NOT_FOUND', `There is no invoice "${id}".`);
}

function receiptAnswer(result: ReceiveResult) {
  // A replay is reported as a duplicate of the invoice that the first delivery created.
  const duplicate = result.duplicate || result.replay;
  return {
    statusCode: duplicate ? 200 : 201,
    body: {
      invoice_id: result.invoiceId,
      status: result.status,
      duplicate,
      duplicate_of: duplicate ? (result.duplicateOf ?? result.invoiceId) : null,
      replay: result.replay,
    },
  };
}

function receiptSentence(result: ReceiveResult): string {
  if (result.replay) return `This message was already received as invoice ${result.invoiceId}; nothing new was stored.`;
  if (result.duplicate) {
    return `The same file was already received as invoice ${result.duplicateOf}; this copy is kept as invoice ${result.invoiceId} with status duplicate.`;
  }
  return `Invoice ${result.invoiceId} was received and is being processed.`;
}

/** One file part and any text fields, in whatever order the form sends them. */
async function readMultipart(request: FastifyRequest): Promise<Upload> {
  const fields: Record<string, unknown> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  let extraFiles = 0;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      fields[part.fieldname] = part.value;
    } else if (file) {
      extraFiles += 1;
      // Read to its end so the parser reaches the parts after it and the request completes.
      for await (const _chunk of part.file);
    } else {
      // toBuffer throws FST_REQ_FILE_TOO_LARGE past limits.fileSize.
      file = { bytes: await part.toBuffer(), filename: part.filename };
    }
  }
  if (extraFiles > 0) {
    throw new RequestRefused('TOO_MANY_FILES', `Send one file per upload; this form carried ${extraFiles + 1} files.`);
  }
  if (!file) {
    throw new RequestRefused('MISSING_FILE', 'The form has no file: attach the invoice document as a file field.');
  }
  return { bytes: file.bytes, filename: cleanFilename(file.filename), fields };
}

/** What the drop folder and the mailbox refuse at once is refused here too, before anything is stored. */
function refuseUnreadable(upload: { bytes: Buffer; filename: string }): void {
  if (upload.bytes.length === 0) throw new RequestRefused('EMPTY_FILE', 'The file is empty: there is nothing to read.');
  if (!hasAcceptedExtension(upload.filename)) {
    throw new RequestRefused('UNSUPPORTED_FILE_TYPE', `${upload.filename}: ${NOT_AN_INVOICE_TYPE}.`);
  }
}

/** `{ file_b64, filename, ...fields }`; the size is checked before anything is decoded. */
function readJson(body: unknown, maxBytes: number, tooLarge: () => RequestRefused): Upload {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const encoded = fields.file_b64;
  if (encoded === undefined || encoded === null) {
    throw new RequestRefused(
      'MISSING_FILE',
      'The request has no file: send multipart/form-data with a file, or JSON with file_b64 and filename.',
    );
  }
  if (typeof encoded !== 'string') {
    throw new RequestRefused('INVALID_BASE64', 'file_b64 must be a base64 string.');
  }
  const compact = encoded.replace(/\s+/g, '');
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  if (Math.floor((compact.length * 3) / 4) - padding > maxBytes) throw tooLarge();
  const bytes = decodeBase64Strictly(compact);
  const filename = typeof fields.filename === 'string' ? cleanFilename(fields.filename) : '';
  if (!filename) {
    throw new RequestRefused('MISSING_FILENAME', "filename is missing: send the document's file name with it.");
  }
  return { bytes, filename, fields };
}

/**
 * Buffer.from(…, 'base64') skips characters it does not know and stops at stray padding, so a
 * damaged upload would be stored as different bytes. Only text that re-encodes to itself passes.
 */
export function decodeBase64Strictly(compact: string): Buffer {
  const invalid = new RequestRefused(
    'INVALID_BASE64',
    "file_b64 is not valid base64: send the file's bytes in standard base64 (A-Z a-z 0-9 + /).",
  );
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalid;
  const padded = compact.padEnd(Math.ceil(compact.length / 4) * 4, '=');
  const bytes = Buffer.from(padded, 'base64');
  if (bytes.toString('base64') !== padded) throw invalid;
  return bytes;
}

/**
 * Browsers and scripts sometimes send C:\fakepath\… or a relative path; a hostile client sends
 * `../../etc/passwd`. Only a plain file name is kept; an upload naming nothing is refused.
 */
function cleanFilename(name: string | undefined): string {
  return name?.trim() ? safeFilename(name, 'upload') : '';
}

function optionalText(fields: Record<string, unknown>, name: string): string | null {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RequestRefused('INVALID_FIELD', `${name} must be text.`);
  return value.trim() || null;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time, as an instant. Anything else is refused, never guessed:
 * 03.04.2026 is 3 April in Slovakia and 4 March to a US mailer. A value without an offset is
 * read as UTC, so the same text always means the same instant whatever the server's zone.
 */
export function parseReceivedDate(value: string): string {
  const invalid = new RequestRefused(
    'INVALID_DATE',
    `received_date "${value}" is not an ISO 8601 date or date-time (like 2026-11-22 or 2026-11-22T09:30:00+01:00).`,
  );
  const match = ISO_DATE_TIME.exec(value);
  if (!match) throw invalid;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  // setUTCFullYear rolls 31 February over into March; reading the parts back catches that.
  const calendar = new Date(0);
  calendar.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const realDay =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day);
  const realTime = Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
  const realOffset = offset === 'Z' || (Number(offset.slice(1, 3)) <= 14 && Number(offset.slice(4)) <= 59);
  if (!realDay || !realTime || !realOffset) throw invalid;
  const millis = fraction.slice(0, 3).padEnd(3, '0');
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`).toISOString();
}

/** RFC 6266: an ASCII fallback for old clients and the exact UTF-8 name for the rest. */
function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
