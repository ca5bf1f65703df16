import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { REDACT_PATHS } from '../../src/runtime/logger.ts';

/** The logger's safety net: secrets a caller puts in a log object, at the top or one level down. */
function logged(object: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: null, timestamp: false }, sink).info(object);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

test('the OAuth2 fields, nodemailer auth.pass and request credentials are redacted', (t) => {
  t.deepEqual(
    logged({
      auth: { user: 'loader', pass: 'smtp-pw' },
      oauth2: { clientId: 'app', clientSecret: 'cs', refreshToken: 'rt', accessToken: 'at' },
      accessToken: 'imap-at',
      req: { method: 'POST', headers: { authorization: 'Bearer x', cookie: 'sid=1', 'x-api-key': 'k', host: 'h' } },
      headers: { 'set-cookie': 'sid=2', 'x-csrf-token': 'c', accept: '*/*' },
    }),
    {
      level: 30,
      auth: { user: 'loader', pass: '[redacted]' },
      oauth2: { clientId: 'app', clientSecret: '[redacted]', refreshToken: '[redacted]', accessToken: '[redacted]' },
      accessToken: '[redacted]',
      req: {
        method: 'POST',
        headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', host: 'h' },
      },
      headers: { 'set-cookie': '[redacted]', 'x-csrf-token': '[redacted]', accept: '*/*' },
    },
  );
});
