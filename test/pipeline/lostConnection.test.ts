import test from 'ava';
import { lostConnection, permanentFailure } from '../../src/pipeline/permanentFailures.ts';

test('a step cut off by a lost database connection is told apart from a failure of the invoice', (t) => {
  t.true(lostConnection('57P01', 'terminating connection due to administrator command'));
  t.true(lostConnection('57P02', 'terminating connection due to crash of another server process'));
  t.true(lostConnection('08006', 'connection failure'));
  t.true(lostConnection('DB_UNAVAILABLE', 'The database (127.0.0.1:5432/x) is not available: reconnecting'));
  t.true(lostConnection(undefined, 'Connection terminated unexpectedly'));
  t.true(lostConnection('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'));
  t.false(lostConnection('23505', 'duplicate key value violates unique constraint'));
  t.false(lostConnection(undefined, 'PDF has no text layer'));
  t.false(lostConnection('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
  t.truthy(permanentFailure('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
  t.is(permanentFailure('57P01', 'terminating connection due to administrator command'), undefined);
});
