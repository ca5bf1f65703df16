import test from 'ava';
import { inLanes } from '../../src/intake/imap/mailLanes.ts';

/**
 * How a pass shares its mails among concurrent handlers (src/intake/imap/mailLanes.ts). Each
 * handler holds its mail until the test lets it go, so what runs at once is seen, not timed.
 */
interface Mail {
  uid: number;
  messageId: string;
}

function gatedHandler() {
  const started: number[] = [];
  const finished: number[] = [];
  const gates = new Map<number, () => void>();
  let inFlight = 0;
  let peak = 0;
  const waiters: Array<() => void> = [];
  const handle = async (mail: Mail) => {
    started.push(mail.uid);
    peak = Math.max(peak, ++inFlight);
    for (const wake of waiters.splice(0)) wake();
    await new Promise<void>((resolve) => gates.set(mail.uid, resolve));
    inFlight--;
    finished.push(mail.uid);
  };
  return {
    handle,
    started,
    finished,
    peak: () => peak,
    /** Resolves once `count` mails have started. */
    async startedCount(count: number) {
      while (started.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    /** Lets this mail finish, and waits a turn so its lane can start the next one. */
    async finish(uid: number) {
      gates.get(uid)!();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const byMessageId = (mail: Mail) => mail.messageId;
const mails = (...ids: string[]): Mail[] => ids.map((messageId, k) => ({ uid: k + 1, messageId }));

test('at most `concurrency` mails at once, started in UID order', async (t) => {
  const handler = gatedHandler();
  const pass = inLanes(
    mails('a', 'b', 'c', 'd', 'e'),
    { concurrency: 2, keyOf: byMessageId, stopping: () => false },
    handler.handle,
  );
  await handler.startedCount(2);
  t.deepEqual(handler.started, [1, 2]);
  await handler.finish(2);
  await handler.startedCount(3);
  t.deepEqual(handler.started, [1, 2, 3]);
  await handler.finish(1);
  await handler.startedCount(4);
  await handler.finish(3);
  await handler.startedCount(5);
  t.deepEqual(handler.started, [1, 2, 3, 4, 5]);
  await handler.finish(4);
  await handler.finish(5);
  await pass;
  t.is(handler.peak(), 2);
  t.deepEqual([...handler.finished].sort(), [1, 2, 3, 4, 5]);
});

test('mails sharing a Message-ID go one after another in UID order; the others pass them', async (t) => {
  const handler = gatedHandler();
  // UIDs 1 and 3 share a Message-ID: 3 waits for 1 even though a handler is free.
  const pass = inLanes(
    mails('same', 'b', 'same', 'd'),
    { concurrency: 3, keyOf: byMessageId, stopping: () => false },
    handler.handle,
  );
  await handler.startedCount(3);
  t.deepEqual(handler.started, [1, 2, 4], 'the second copy does not start beside the first');
  await handler.finish(1);
  await handler.startedCount(4);
  t.deepEqual(handler.started, [1, 2, 4, 3]);
  for (const uid of [2, 3, 4]) await handler.finish(uid);
  await pass;
});

test('a handler that throws: no new mail starts, the mails in hand finish, then the pass throws', async (t) => {
  const handler = gatedHandler();
  const broken = new Error('the connection broke');
  const pass = inLanes(
    mails('a', 'b', 'c', 'd'),
    { concurrency: 2, keyOf: byMessageId, stopping: () => false },
    async (mail) => {
      if (mail.uid === 2) {
        await handler.startedCount(1);
        throw broken;
      }
      await handler.handle(mail);
    },
  );
  await handler.startedCount(1);
  let settled = false;
  void pass.catch(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.false(settled, 'the pass waits for the mail in hand');
  await handler.finish(1);
  t.is(await t.throwsAsync(pass), broken);
  t.deepEqual(handler.started, [1], 'nothing started after the failure');
});

test('a graceful stop: the mails in hand finish, no other starts', async (t) => {
  const handler = gatedHandler();
  let stopping = false;
  const pass = inLanes(
    mails('a', 'b', 'c', 'd'),
    { concurrency: 2, keyOf: byMessageId, stopping: () => stopping },
    handler.handle,
  );
  await handler.startedCount(2);
  stopping = true;
  await handler.finish(1);
  await handler.finish(2);
  await pass;
  t.deepEqual(handler.started, [1, 2]);
  t.deepEqual(handler.finished, [1, 2]);
});
