import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { run } from './run.ts';

/** A fresh directory under the system temp dir, removed when the test ends. */
export function tempDir(t: ExecutionContext, prefix = 'invoice-loader-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `text` to `name` inside a fresh temp dir and returns the file's path. */
export function tempFile(t: ExecutionContext, name: string, text: string): string {
  const path = join(tempDir(t), name);
  writeFileSync(path, text);
  return path;
}

/** The environment of this process without any INVOICE_LOADER_* setting, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('INVOICE_LOADER_')) env[name] = value;
  return { ...env, ...extra };
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CLI from the repository root with a clean INVOICE_LOADER_* environment plus `env`. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const result = await run(process.execPath, ['bin/invoice-loader.js', ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
