import type { EventEmitter } from 'node:events';
import type { Logger } from './logger.ts';

export interface LastResortOptions {
  logger: Logger;
  /** The ordered shutdown, once the daemon runs; resolves when the tree has stopped (or its deadline passed). */
  stop: () => Promise<unknown> | undefined;
  /** Flushes the log files. */
  close: () => Promise<void>;
  exit: (code: number) => void;
  /** Where the events come from: `process`, or a stand-in in tests. */
  events?: EventEmitter;
}

/**
 * The last line of defence: an error that escaped every actor, listener and promise chain.
 * The process cannot be trusted to go on, but it can still stop in order: the pipeline gives
 * its leases back, the pool closes, the embedded server stops. The error is logged with its
 * stack and the exit code is 1, so a service manager restarts the daemon and the log says why
 * — never a silent exit. A second fatal error during that shutdown is logged and otherwise
 * ignored: the first one is already ending the process.
 */
export function installLastResort(options: LastResortOptions): { fatal: () => boolean; remove: () => void } {
  const events = options.events ?? process;
  let ending = false;
  const fatal = (error: unknown, kind: 'uncaught exception' | 'unhandled promise rejection') => {
    const err = error instanceof Error ? error : new Error(String(error));
    options.logger.fatal(
      { err, code: kind === 'uncaught exception' ? 'UNCAUGHT' : 'UNHANDLED_REJECTION' },
      ending ? `${kind} during the shutdown it caused` : `${kind}; stopping the daemon in order`,
    );
    if (ending) return;
    ending = true;
    void (async () => {
      try {
        await options.stop();
      } catch (stopError) {
        options.logger.error({ err: stopError }, 'the shutdown after a fatal error failed');
      }
      await options.close().catch(() => undefined);
      options.exit(1);
    })();
  };
  const onException = (error: unknown) => fatal(error, 'uncaught exception');
  const onRejection = (reason: unknown) => fatal(reason, 'unhandled promise rejection');
  events.on('uncaughtException', onException);
  events.on('unhandledRejection', onRejection);
  return {
    fatal: () => ending,
    remove: () => {
      events.removeListener('uncaughtException', onException);
      events.removeListener('unhandledRejection', onRejection);
    },
  };
}
