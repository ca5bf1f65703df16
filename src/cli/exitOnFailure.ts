import { errorMessage } from '../errors.ts';

/**
 * A CLI command's work, with any error as its one sentence on stderr and exit code 1: what a
 * person at the server reads (the codes and stacks are for the daemon's log, not the terminal).
 * Setting exitCode instead of calling exit lets open handles (a pool, a server) close first.
 */
export async function exitOnFailure(work: () => Promise<void> | void): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.error(errorMessage(error));
    process.exitCode = 1;
  }
}
