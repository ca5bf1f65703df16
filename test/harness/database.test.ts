import { createServer, type Socket } from 'node:net';
import test from 'ava';
import { freePort } from '../../src/runtime/freePort.ts';
import { connectPatiently, createScratchDatabase, listens } from '../support/database.ts';
import { tcpProxy } from '../support/tcpProxy.ts';

/**
 * How the test harness decides where PostgreSQL is. It used to log in with a 2 s timeout and
 * read a slow login as "no server here", starting an embedded server per test file next to the
 * real one under load.
 */

test('a server that accepts connections but is too busy to answer counts as there', async (t) => {
  const sockets: Socket[] = [];
  const mute = createServer((socket) => sockets.push(socket)); // accepts, never says a word
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    mute.close();
  });
  const { port } = mute.address() as { port: number };
  t.true(await listens('127.0.0.1', port));
});

test('a port nobody listens on counts as no server', async (t) => {
  t.false(await listens('127.0.0.1', await freePort()));
});

test('a login is retried until a server that is not up yet accepts it', async (t) => {
  const scratch = await createScratchDatabase('harness');
  t.teardown(scratch.drop);
  const real = new URL(scratch.url);
  const port = await freePort();
  const proxy = tcpProxy(port, real.hostname, Number(real.port || 5432));
  t.teardown(() => proxy.close());
  const late = new URL(scratch.url);
  late.port = String(port);
  // Nothing listens for the first second: the first attempts are refused.
  const opened = new Promise<void>((resolve) => setTimeout(() => void proxy.open().then(resolve), 1_000));
  const client = await connectPatiently(late.toString());
  t.teardown(() => client.end());
  await opened;
  t.is((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
});

test('the local server is used when it listens: scratch databases are made there, not in an embedded one', async (t) => {
  if (process.env.TEST_DATABASE_URL || !(await listens('127.0.0.1', 5432))) {
    t.pass('no local server on 127.0.0.1:5432 here');
    return;
  }
  const scratch = await createScratchDatabase('harness');
  t.teardown(scratch.drop);
  t.is(new URL(scratch.url).host, '127.0.0.1:5432');
});
