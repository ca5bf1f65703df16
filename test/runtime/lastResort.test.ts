import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import test from 'ava';
import pino from 'pino';
import { installLastResort } from '../../src/runtime/lastResort.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

test('an uncaught exception stops the daemon in order, logs the error with its stack and exits 1', async (t) => {
  const { logger, lines } = capture();
  const events = new EventEmitter();
  const order: string[] = [];
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const lastResort = installLastResort({
    logger,
    events,
    stop: async () => void order.push('stop'),
    close: async () => void order.push('close'),
    exit: (code) => {
      order.push('exit');
      exited(code);
    },
  });
  t.false(lastResort.fatal());
  events.emit('uncaughtException', new Error('connection lost at a bad moment'));
  events.emit('uncaughtException', new Error('a second one while stopping'));
  t.is(await exit, 1);
  t.true(lastResort.fatal());
  t.deepEqual(order, ['stop', 'close', 'exit'], 'one ordered shutdown, then the exit');
  const fatal = lines.filter((line) => line.level === 60);
  t.is(fatal.length, 2);
  t.is(fatal[0]!.code, 'UNCAUGHT');
  t.regex(String((fatal[0]!.err as { stack: string }).stack), /connection lost at a bad moment\n\s+at /);
  t.regex(String(fatal[1]!.msg), /during the shutdown it caused/);
  lastResort.remove();
  t.is(events.listenerCount('uncaughtException'), 0);
});

test('an unhandled rejection is fatal too, and a failing shutdown still exits 1', async (t) => {
  const { logger, lines } = capture();
  const events = new EventEmitter();
  const exit = new Promise<number>((resolve) =>
    installLastResort({
      logger,
      events,
      stop: async () => {
        throw new Error('the pool would not close');
      },
      close: async () => undefined,
      exit: resolve,
    }),
  );
  events.emit('unhandledRejection', 'a bare string');
  t.is(await exit, 1);
  t.like(lines[0], { level: 60, code: 'UNHANDLED_REJECTION' });
  t.regex(JSON.stringify(lines[1]), /the pool would not close/);
});
