import test from 'ava';
import { cpuMeter } from '../../src/monitor/systemSamples.ts';

const core = (user: number, sys: number, idle: number) => ({ times: { user, nice: 0, sys, idle, irq: 0 } });

test('busy share of every core since the previous reading', (t) => {
  const readings = [
    [core(100, 50, 850), core(0, 0, 1000)],
    // +150 busy of +1000 on the first core, +50 of +1000 on the second → 10 %.
    [core(200, 100, 1700), core(50, 0, 1950)],
    [core(200, 100, 1700), core(50, 0, 1950)],
  ];
  let i = 0;
  const meter = cpuMeter(() => readings[i++]!);
  t.is(meter(), 10);
  t.is(meter(), null, 'no time passed between two readings: nothing to say');
});

test('reads the real counters: a busy loop shows as load', (t) => {
  const meter = cpuMeter();
  const until = Date.now() + 300;
  while (Date.now() < until) Math.sqrt(Math.random());
  const percent = meter();
  t.true(percent !== null && percent > 0 && percent <= 100, String(percent));
});
