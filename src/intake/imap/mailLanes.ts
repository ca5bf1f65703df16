/**
 * How the mails of one pass share the work: up to `concurrency` at once, so that a burst of
 * mail does not wait for each mail's download, parsing and commits in turn. Mails with the
 * same key (a Message-ID) form a lane and are handled one after another in the order given
 * (UID order): a mail delivered twice must find the first copy recorded to be told a
 * duplicate, as when mails were handled one by one. Lanes start in the order of their first
 * mail, so with `concurrency` 1 this is the old one-after-another pass.
 *
 * `handle` throwing means the pass cannot go on (the connection broke): no new mail is
 * started, the mails in hand are let finish (each is committed and acknowledged, or left
 * unacknowledged, as a whole), then the first such error is thrown.
 */
export async function inLanes<T>(
  items: readonly T[],
  options: {
    concurrency: number;
    keyOf: (item: T) => string;
    /** Asked before each mail: true ends the pass after the mails in hand (a graceful stop). */
    stopping: () => boolean;
  },
  handle: (item: T) => Promise<void>,
): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = options.keyOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const queue = [...lanes.values()];
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const item of lane) {
        if (failure || options.stopping()) return;
        try {
          await handle(item);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}
