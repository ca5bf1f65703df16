import { parentPort } from 'node:worker_threads';

/**
 * A stand-in extraction worker for the pool tests: the document's text says what to do.
 * "hang" never answers, "crash" exits the thread, "oom" allocates until the heap limit,
 * "late-error" answers and then fails with an uncaught error, anything else is "extracted" at once.
 */
parentPort!.on('message', (job: { bytes: Uint8Array }) => {
  const command = Buffer.from(job.bytes).toString('utf8');
  if (command === 'hang') return;
  if (command === 'crash') process.exit(3);
  if (command === 'late-error') {
    // A full second later: the answer (message port) and the error (another channel) are not
    // ordered by Node, so the failure must come well after the answer to be a late one.
    setTimeout(() => {
      throw new Error('failed after answering');
    }, 1_000);
  }
  if (command === 'oom') {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1_000_000).fill(command.length));
  }
  parentPort!.postMessage({ outcome: { kind: 'extracted', invoice: { echo: command } } });
});
parentPort!.postMessage({ ready: true });
