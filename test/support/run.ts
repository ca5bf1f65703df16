import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  /** The exit code; null when the program was killed (by the timeout or a signal). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  error?: Error;
}

export interface RunOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  /** Killed with SIGKILL after this long (generous: a loaded 2-core machine); the result then has status null. */
  timeoutMs?: number;
  /** Written to the program's stdin, which is then closed. */
  input?: string;
}

/**
 * Runs a program to its end without blocking the test process: a spawnSync would freeze every
 * server, timer and socket of the test (simulators, pools, IMAP clients) while the child runs,
 * and a child that needs one of them would wait for its own timeout.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 100_000, input, ...spawnOptions } = options;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      ...spawnOptions,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (input !== undefined) child.stdin!.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let startError: Error | undefined;
    child.once('error', (error) => {
      startError = error;
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(startError ? { error: startError } : {}),
      });
    });
  });
}
