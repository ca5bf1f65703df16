import { readFileSync } from 'node:fs';
import test from 'ava';
import { LoaderError } from '../../src/errors.ts';
import { asRequestRefused, HTTP_ERRORS, RequestRefused } from '../../src/http/requestRefused.ts';

/** One catalog of the API's error codes: the docs' table is the code's table, and domain errors map through it. */
test('docs/console.md lists every error code of the catalog with its status, and nothing else', (t) => {
  const docs = readFileSync(new URL('../../docs/console.md', import.meta.url), 'utf8');
  const section = docs.slice(docs.indexOf('## Error codes'));
  const listed = Object.fromEntries(
    [...section.matchAll(/^\| `([A-Z0-9_]+)` +\| (\d{3}) +\|$/gm)].map((row) => [row[1]!, Number(row[2])]),
  );
  t.deepEqual(listed, { ...HTTP_ERRORS });
});

test('a domain error whose code the catalog knows becomes its answer; others pass unchanged', (t) => {
  const refused = asRequestRefused(new LoaderError('INVOICE_NOT_CORRECTABLE', 'It is posted already.'));
  t.true(refused instanceof RequestRefused);
  t.like(refused, { statusCode: 409, code: 'INVOICE_NOT_CORRECTABLE', message: 'It is posted already.' });
  const other = new LoaderError('BACKUP_FAILED', 'pg_dump is missing.');
  t.is(asRequestRefused(other), other, 'not an answer: the error handler makes it a 500 and logs it');
});
