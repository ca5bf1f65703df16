import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { stringify } from 'yaml';
import { findToken } from '../../src/auth/apiTokens.ts';
import { checkSignIn } from '../../src/auth/signIn.ts';
import { migratedDatabase } from '../support/migratedDatabase.ts';
import { cleanEnv, tempDir } from '../support/tempDir.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const policy = { failures: 5, lockoutMs: 60_000 };

function runCli(args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/invoice-loader.js', ...args], { cwd: REPO_ROOT, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

/**
 * `users` and `tokens` as an admin runs them on the server, against a real database. Each CLI
 * start costs seconds on a loaded machine, so independent commands run side by side.
 */
test('users add|role|disable|list and tokens create|revoke from the command line', async (t) => {
  const { url, pool } = await migratedDatabase(t);
  const config = join(tempDir(t), 'config.yaml');
  writeFileSync(config, stringify({ database: { url }, logging: { console: 'off' } }));
  const run = (args: string[], input?: string) => runCli([...args, '--config', config], input);

  const [added, integration, approving] = await Promise.all([
    run(
      ['users', 'add', 'Jana', '--role', 'approver', '--display', 'Jana Nováková', '--password-stdin'],
      'heslo-jany-123\n',
    ),
    run(['tokens', 'create', '--name', 'n8n', '--role', 'operator']),
    run(['tokens', 'create', '--name', 'boss', '--role', 'approver']),
  ]);
  t.is(added.status, 0, added.stderr);
  t.regex(added.stdout, /Added jana \(approver\)/);
  t.true((await checkSignIn(pool, { name: 'jana', password: 'heslo-jany-123' }, policy)).ok);
  const n8nToken = lastLine(integration.stdout);
  t.regex(n8nToken, /^ilt_[\w-]{43}$/, 'the last line is the token alone');
  t.like(await findToken(pool, n8nToken), { label: 'n8n', person: null, role: 'operator' });
  t.is(approving.status, 1, 'an integration token can never approve');
  t.regex(approving.stderr, /Choices: "viewer", "operator"/);

  await pool.query("INSERT INTO people (name, role) VALUES ('eva', 'viewer'), ('ivan', 'viewer')");
  const [role, disabled, personal, revoked] = await Promise.all([
    run(['users', 'role', 'eva', 'operator']),
    run(['users', 'disable', 'ivan']),
    run(['tokens', 'create', '--user', 'jana', '--name', 'jana-laptop']),
    run(['tokens', 'revoke', 'n8n']),
  ]);
  t.regex(role.stdout, /eva is now operator/, role.stderr);
  t.regex(disabled.stdout, /ivan is disabled/, disabled.stderr);
  t.like(await findToken(pool, lastLine(personal.stdout)), { label: 'jana-laptop', person: 'jana', role: null });
  t.regex(revoked.stdout, /Token "n8n" is revoked/);
  t.is(await findToken(pool, n8nToken), null);

  const [people, tokens] = await Promise.all([run(['users', 'list']), run(['tokens', 'list'])]);
  t.regex(people.stdout, /jana\s.*Jana Nováková\s.*approver\s.*active/);
  t.regex(people.stdout, /eva\s.*operator\s.*no password/);
  t.regex(people.stdout, /ivan\s.*viewer\s.*disabled/);
  t.regex(tokens.stdout, /jana-laptop\s.*jana/);
  t.notRegex(tokens.stdout, /n8n/, 'a revoked token is not listed');
  t.false(tokens.stdout.includes(lastLine(personal.stdout)), 'tokens list never shows a token');
});
