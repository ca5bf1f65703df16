import test from 'ava';
import { NexError } from '../../src/nex/gatewayErrors.ts';
import {
  conflictAnswer,
  decodeAnswer,
  documentsAnswer,
  importAnswer,
  matchAnswer,
} from '../../src/nex/gatewayResponses.ts';

/** The gateway's answers as older and newer gateways send them, decoded by schema. */
test('lenient where gateways differ: numeric totals keep their digits as text, missing fields get defaults', (t) => {
  const documents = decodeAnswer(
    documentsAnswer,
    { data: [{ doc_number: 'DD1', total: 1234.5, partner_ico: 12345678 }, 'junk', null] },
    'GET /api/v1/documents',
  );
  t.deepEqual(documents.data, [
    { doc_number: 'DD1', ext_num: '', partner_ico: '12345678', total: '1234.5', created_at: '' },
  ]);
  const match = decodeAnswer(
    matchAnswer,
    { is_match: 'yes', alternatives: [{ gs_code: '7', name: 'Klinec' }, 3] },
    'POST m',
  );
  t.deepEqual(match, {
    is_match: false,
    confidence: 0,
    confidence_level: 'low',
    method: 'unknown',
    product: null,
    alternatives: [
      { gs_code: 7, name: 'Klinec', ean: null, confidence: 0 },
      { gs_code: Number.NaN, name: '', ean: null, confidence: 0 },
    ],
  });
  t.like(
    decodeAnswer(
      importAnswer,
      { status: 'success', products_created: 'x', warnings: [{ message: 'w' }] },
      'POST i',
      true,
    ),
    {
      document_number: null,
      products_created: 0,
      warnings: ['w'],
      errors: [],
    },
  );
  t.is(conflictAnswer.parse({ detail: { doc_number: 'DD9' } }), 'DD9');
  t.is(conflictAnswer.parse('text'), null);
});

test('strict where a wrong answer would mislead: not an object, or no list, is NEX_BAD_RESPONSE (ambiguous for a write)', (t) => {
  const notObject = t.throws(() => decodeAnswer(importAnswer, [1, 2], 'POST /api/v1/invoices/import', true));
  t.true(notObject instanceof NexError);
  t.like(notObject, { code: 'NEX_BAD_RESPONSE', kind: 'transient', ambiguous: true });
  t.regex(notObject!.message, /JSON that is not an object; the invoice may have been stored/);
  const noList = t.throws(() => decodeAnswer(documentsAnswer, { data: 'none' }, 'GET /api/v1/documents'));
  t.like(noList, { code: 'NEX_BAD_RESPONSE', ambiguous: false });
  t.regex(noList!.message, /unexpected body \(data: /);
});
