import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { freePort } from '../../src/runtime/freePort.ts';
import { BIN, TOKEN } from '../support/daemonProcess.ts';
import { tempDir } from '../support/tempDir.ts';

/**
 * Issue 18.7: Ctrl+C in a terminal sends SIGINT to the whole foreground process group. The
 * embedded server must not get it: the daemon closes its pool first and then stops the
 * server, so no session is cut ("terminating connection due to administrator command").
 */
test('SIGINT to the daemon’s whole process group: an ordered stop, exit 0, no session of the server cut', async (t) => {
  t.timeout(240_000);
  const dir = tempDir(t);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yaml'),
    stringify({
      http: { port, token: TOKEN },
      logging: { dir: './logs', console: 'json', level: 'debug' },
      database: { pingIntervalMs: 200 },
      extraction: { workers: 1 },
    }),
  );
  // Its own group, as a shell gives `npm start`: a signal to the group must not reach the test runner.
  const child = spawn(process.execPath, [BIN, 'run', '--config', join(dir, 'config.yaml')], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal!)),
  );
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
  });

  const deadline = Date.now() + 150_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) t.fail(`not ready: ${lines.slice(-5).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const postmasterPid = join(dir, 'data', 'postgres', 'postmaster.pid');
  t.true(existsSync(postmasterPid));

  process.kill(-child.pid!, 'SIGINT');
  t.is(await exited, 0, 'the node process exits 0');
  t.false(existsSync(postmasterPid), 'the server was stopped, not left behind');
  const log = lines.join('\n');
  t.regex(log, /"msg":"embedded PostgreSQL stopped"/);
  t.notRegex(log, /terminating connection due to administrator command/);
  t.notRegex(log, /FATAL/);
  t.true(
    lines.findIndex((line) => line.includes('actor pipeline stopped')) <
      lines.findIndex((line) => line.includes('received fast shutdown request')),
    'the server is asked to stop only after the pipeline has stopped',
  );
});
