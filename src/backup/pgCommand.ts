import { spawn } from 'node:child_process';
import type { LoaderError } from '../errors.ts';
import { errorMessage } from '../errors.ts';

export interface PgCommandOptions {
  /** Added to this process's environment (PGPASSWORD). */
  env?: Record<string, string>;
  /** Keep stdout (pg_restore --list); otherwise it is discarded. */
  captureStdout?: boolean;
  /** Kills the child (SIGTERM) when aborted; the promise then rejects. */
  signal?: AbortSignal;
  /** Turns "why it failed" into the caller's error, with its code and advice. */
  failure: (reason: string, cause?: unknown) => LoaderError;
}

const STDERR_KEPT = 4_000;

/**
 * Runs pg_dump or pg_restore without a shell (arguments are never re-parsed) and resolves
 * when it exits with 0. Its stderr is kept, shortened, for the error: the tools name the
 * problem there ("could not connect", "unsupported version in file header").
 */
export function runPgCommand(program: string, args: string[], options: PgCommandOptions): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
      windowsHide: true,
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    child.on('error', (error) => {
      if (error.name === 'AbortError') reject(options.failure('it was stopped', error));
      else reject(options.failure(errorMessage(error), error));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ stdout: Buffer.concat(stdout).toString('utf8') });
      if (options.signal?.aborted) return; // the 'error' event reported it
      const said = stderr.trim().replace(/\s+/g, ' ');
      const exit = signal ? `ended by ${signal}` : `exit code ${code}`;
      reject(options.failure(`${exit}${said ? `: ${said}` : ''}`));
    });
  });
}
