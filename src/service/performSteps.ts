import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { LoaderError } from '../errors.ts';
import type { ServiceStep } from './serviceSteps.ts';

export interface StepRunner {
  mkdir(path: string): Promise<void>;
  write(path: string, content: string, mode: number): Promise<void>;
  remove(path: string): Promise<void>;
  /** Runs a program with its output passed through; resolves with its exit code. */
  run(program: string, args: string[]): Promise<number>;
}

export const systemStepRunner: StepRunner = {
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
  write: async (path, content, mode) => {
    await writeFile(path, content, { mode });
    await chmod(path, mode); // writeFile's mode only applies to a new file
  },
  remove: (path) => rm(path, { force: true }),
  run: (program, args) =>
    new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: 'inherit', windowsHide: true });
      child.once('error', reject);
      child.once('exit', (code) => resolve(code ?? 1));
    }),
};

/**
 * Performs the steps in order and stops at the first that fails. `tolerateExit` lets an
 * uninstall go on when the service was already stopped (the stop command then exits non-zero).
 */
export async function performSteps(
  steps: ServiceStep[],
  runner: StepRunner,
  options: { tolerateStopFailure?: boolean } = {},
): Promise<void> {
  for (const step of steps) {
    if (step.kind === 'mkdir') await runner.mkdir(step.path);
    else if (step.kind === 'write') await runner.write(step.path, step.content, step.mode);
    else if (step.kind === 'remove') await runner.remove(step.path);
    else {
      const code = await runTool(runner, step.program, step.args);
      const isStop = step.args.includes('stop') || step.args.includes('disable');
      if (code !== 0 && !(options.tolerateStopFailure && isStop)) {
        throw new LoaderError(
          'SERVICE_STEP_FAILED',
          `\`${[step.program, ...step.args].join(' ')}\` exited with code ${code}; the steps before it were done, the rest were not.`,
          { details: { program: step.program, args: step.args, code } },
        );
      }
    }
  }
}

/** Runs a manager's tool; resolves with its exit code, or fails with SERVICE_TOOL_MISSING when it cannot start. */
export function runTool(runner: StepRunner, program: string, args: string[]): Promise<number> {
  return runner.run(program, args).catch((error: unknown) => {
    throw new LoaderError(
      'SERVICE_TOOL_MISSING',
      `${program} could not be started (${(error as Error).message}); is it installed and on PATH?`,
      { cause: error, details: { program } },
    );
  });
}
