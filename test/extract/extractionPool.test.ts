import test from 'ava';
import { createActor, type AnyActorRef } from 'xstate';
import { serviceMachine } from '../../machines/service.ts';
import { supervisorMachine } from '../../machines/supervisor.ts';
import { createExtractionPool } from '../../src/extract/extractionPool.ts';

const settings = {
  intensity: 20,
  periodMs: 60_000,
  startTimeoutMs: 10_000,
  stopTimeoutMs: 2_000,
  backoff: { minMs: 10, maxMs: 50, resetAfterMs: 60_000, jitter: 0 },
};

/** A real `extractor` supervisor over the pool's worker actors, with the misbehaving test worker. */
// Generous by default: on a loaded CI machine even an instant answer can take a while; only the
// timeout test uses a short limit.
async function startExtractor(
  t: { teardown: (fn: () => void | Promise<void>) => void },
  workers: number,
  timeoutMs = 10_000,
  idleWorkerMs?: number,
  recycleAfterDocuments?: number,
  onThread?: (id: string, event: string) => void,
) {
  const pool = createExtractionPool({
    workers,
    timeoutMs,
    idleWorkerMs,
    recycleAfterDocuments,
    onThread,
    memoryMb: 64,
    templateDirs: [],
    workerScript: new URL('../support/misbehavingWorker.ts', import.meta.url),
  });
  const children = Array.from({ length: workers }, (_, i) => ({
    id: `worker-${i + 1}`,
    logic: serviceMachine.provide({ actors: pool.workerActors(`worker-${i + 1}`) }),
    restart: 'permanent' as const,
  }));
  const extractor: AnyActorRef = createActor(supervisorMachine, {
    input: { id: 'extractor', strategy: 'one_for_one', children, ...settings },
  });
  extractor.subscribe({ error: () => {} });
  extractor.start();
  // Wait until the supervisor has stopped every worker actor: a thread left running (or started by
  // a restart still in backoff) kept the test process alive after its tests ("Failed to exit").
  t.teardown(async () => {
    extractor.send({ type: 'child.stop' });
    await until(() => extractor.getSnapshot().status !== 'active', 30_000).catch(() => undefined);
    extractor.stop();
  });
  await until(() => pool.idleWorkers === workers);
  const restarts = (id: string) => (extractor.getSnapshot().context.children[id]?.restarts ?? 0) as number;
  return { pool, restarts };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const doc = (text: string) => Buffer.from(text);

test('documents are extracted on worker threads, several at once', async (t) => {
  const { pool } = await startExtractor(t, 2);
  const outcomes = await Promise.all(
    ['a', 'b', 'c', 'd', 'e'].map((text) => pool.extract(doc(text), 'application/pdf')),
  );
  t.deepEqual(
    outcomes.map((o) => (o.kind === 'extracted' ? (o.invoice as unknown as { echo: string }).echo : o.reason)),
    ['a', 'b', 'c', 'd', 'e'],
  );
});

test('a worker that fails after its job was answered is replaced, and the process is not upset', async (t) => {
  // Its 'error' event reaches no job (as when a worker runs out of memory just as its timeout
  // ends it); without a listener, Node would turn it into an uncaught exception here.
  const { pool, restarts } = await startExtractor(t, 1);
  t.is((await pool.extract(doc('late-error'), 'application/pdf')).kind, 'extracted');
  await until(() => restarts('worker-1') === 1 && pool.idleWorkers === 1);
  t.is(pool.threads, 0, 'the restarted slot starts a thread with its next document');
  t.is((await pool.extract(doc('still fine'), 'application/pdf')).kind, 'extracted');
});

test('a document that takes too long is quarantined with the reason, and its worker is replaced', async (t) => {
  const { pool, restarts } = await startExtractor(t, 1, 500);
  const outcome = await pool.extract(doc('hang'), 'application/pdf');
  t.deepEqual(outcome, { kind: 'unreadable', reason: 'extraction took longer than 0.5 s (extraction.timeoutMs)' });
  await until(() => restarts('worker-1') === 1 && pool.idleWorkers === 1);
  const next = await pool.extract(doc('after'), 'application/pdf');
  t.is(next.kind, 'extracted', 'the replacement worker reads the next document');
});

test('a worker that crashes on a document quarantines that document only', async (t) => {
  const { pool, restarts } = await startExtractor(t, 2);
  const [crashed, fine] = await Promise.all([
    pool.extract(doc('crash'), 'application/pdf'),
    pool.extract(doc('fine'), 'application/pdf'),
  ]);
  t.deepEqual(crashed, { kind: 'unreadable', reason: 'the extraction worker crashed: the worker exited with code 3' });
  t.is(fine.kind, 'extracted');
  await until(() => restarts('worker-1') + restarts('worker-2') === 1 && pool.idleWorkers === 2);
});

test('a document that needs more memory than allowed is quarantined, and the worker is replaced', async (t) => {
  // A generous timeout: filling 64 MB can take a while on a loaded machine, and the memory limit is what is tested.
  const { pool, restarts } = await startExtractor(t, 1, 30_000);
  const outcome = await pool.extract(doc('oom'), 'application/pdf');
  t.deepEqual(outcome, {
    kind: 'unreadable',
    reason: 'extracting it needed more than 64 MB of memory (extraction.memoryMb)',
  });
  await until(() => restarts('worker-1') === 1 && pool.idleWorkers === 1);
  t.is((await pool.extract(doc('later'), 'application/pdf')).kind, 'extracted');
});

test('documents wait while every worker is being replaced, and none is lost', async (t) => {
  const { pool, restarts } = await startExtractor(t, 1);
  const outcomes = await Promise.all(['crash', 'x', 'y'].map((text) => pool.extract(doc(text), 'application/pdf')));
  t.is(outcomes[0]!.kind, 'unreadable');
  t.deepEqual(
    outcomes.slice(1).map((o) => o.kind),
    ['extracted', 'extracted'],
  );
  t.is(restarts('worker-1'), 1);
});

test('a worker thread starts with the first document, and ends after idleWorkerMs without one', async (t) => {
  const { pool, restarts } = await startExtractor(t, 1, 10_000, 300);
  t.is(pool.threads, 0, 'an idle extractor holds no thread');
  t.deepEqual(pool.notes('worker-1'), { thread: 'none' }, 'inspect shows it');
  t.is((await pool.extract(doc('first'), 'application/pdf')).kind, 'extracted');
  t.is(pool.threads, 1);
  t.deepEqual(pool.notes('worker-1'), { thread: 'idle' });
  await until(() => pool.threads === 0);
  t.is((await pool.extract(doc('again'), 'application/pdf')).kind, 'extracted', 'the next document starts it again');
  t.is(restarts('worker-1'), 0, 'retiring is not a failure');
});

test('a busy thread is recycled after recycleAfterDocuments: the next document gets a fresh one', async (t) => {
  const events: string[] = [];
  const { pool, restarts } = await startExtractor(t, 1, 10_000, undefined, 3, (_id, event) => events.push(event));
  for (let i = 0; i < 7; i++) t.is((await pool.extract(doc(`doc-${i}`), 'application/pdf')).kind, 'extracted');
  // 7 documents, 3 per thread: threads for documents 1–3, 4–6 and 7.
  t.deepEqual(events, ['started', 'recycled', 'started', 'recycled', 'started']);
  t.is(pool.threads, 1);
  t.is(restarts('worker-1'), 0, 'recycling is not a failure');
});

test('documents one at a time keep one thread warm and leave the other slots without one', async (t) => {
  const { pool } = await startExtractor(t, 3);
  for (const text of ['a', 'b', 'c', 'd']) await pool.extract(doc(text), 'application/pdf');
  t.is(pool.threads, 1);
  await Promise.all(['e', 'f', 'g'].map((text) => pool.extract(doc(text), 'application/pdf')));
  t.true(pool.threads > 1, 'a burst starts more');
});
