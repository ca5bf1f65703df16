import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pino from 'pino';
import { createActor, fromCallback, fromPromise, setup, SimulatedClock, toPromise, type AnyEventObject } from 'xstate';
import { monitorMachine, type AlertSyncEvent } from '../../machines/monitor.ts';
import { evaluateReadings, type Reading, type ThresholdRule } from '../../machines/monitorConditions.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createMonitor, intakeChannels } from '../../src/monitor/monitorService.ts';
import { intakeSilent } from '../../src/monitor/intakeSilence.ts';
import { healthReport, type HealthReport } from '../../src/runtime/health.ts';
import { rootOver } from '../support/actorNodes.ts';
import { tempDir } from '../support/tempDir.ts';
import { until } from '../support/until.ts';

const disk: ThresholdRule = { warning: 80, critical: 90, forMs: 0, hysteresis: 2 };
const cpu: ThresholdRule = { warning: null, critical: 90, forMs: 300_000, hysteresis: 10 };
const reading = (condition: string, value: number | null, rule: ThresholdRule, component = 'host'): Reading => ({
  condition,
  component,
  value,
  unit: '%',
  rule,
  summary: `${condition} ${value}`,
});

test('a condition fires only after holding for its for-duration', (t) => {
  let state = evaluateReadings({}, [reading('cpu', 95, cpu)], 0);
  t.deepEqual(state.events, []);
  state = evaluateReadings(state.states, [reading('cpu', 97, cpu)], 240_000);
  t.deepEqual(state.events, [], 'four minutes is not five');
  state = evaluateReadings(state.states, [reading('cpu', 40, cpu)], 270_000);
  state = evaluateReadings(state.states, [reading('cpu', 95, cpu)], 300_000);
  t.deepEqual(state.events, [], 'a dip starts the wait again');
  state = evaluateReadings(state.states, [reading('cpu', 96, cpu)], 600_000);
  t.is(state.events.length, 1);
  t.like(state.events[0], { type: 'fire', key: 'cpu:host', severity: 'critical' });
});

test('a condition clears with hysteresis and steps down from critical to warning', (t) => {
  let state = evaluateReadings({}, [reading('disk', 91, disk, '/data')], 0);
  t.like(state.events[0], { type: 'fire', severity: 'critical' });
  state = evaluateReadings(state.states, [reading('disk', 89, disk, '/data')], 60_000);
  t.deepEqual(state.events, [], '89 % is within 2 points of 90 %');
  state = evaluateReadings(state.states, [reading('disk', 87.5, disk, '/data')], 120_000);
  t.deepEqual(
    state.events.map((e) => e.type + (e.type === 'fire' ? `:${e.severity}` : '')),
    ['resolve', 'fire:warning'],
  );
  state = evaluateReadings(state.states, [reading('disk', 79, disk, '/data')], 180_000);
  t.deepEqual(state.events, [], 'not 2 points below 80 % yet');
  state = evaluateReadings(state.states, [reading('disk', null, disk, '/data')], 200_000);
  t.deepEqual(state.events, [], 'a missing sample changes nothing');
  state = evaluateReadings(state.states, [reading('disk', 77, disk, '/data')], 240_000);
  t.deepEqual(state.events, [{ type: 'resolve', key: 'disk:/data', at: 240_000 }]);
});

test('the monitor machine samples every interval on simulated time and tells the alerter what fires', (t) => {
  const clock = new SimulatedClock();
  clock.set(Date.parse('2026-12-07T08:00:00Z'));
  const values = [50, 95, 95, 95, 95, 95, 95, 40];
  let samples = 0;
  const received: AlertSyncEvent[] = [];
  const monitor = monitorMachine.provide({
    actors: { sample: fromPromise(async () => [reading('cpu', values[Math.min(samples++, values.length - 1)]!, cpu)]) },
    delays: { interval: 60_000 },
  });
  const tree = setup({
    actors: {
      monitor,
      alerter: fromCallback(({ receive }) => receive((e: AnyEventObject) => received.push(e as AlertSyncEvent))),
    },
  }).createMachine({
    invoke: [
      { src: 'alerter', systemId: 'alerter' },
      { src: 'monitor', systemId: 'monitor' },
    ],
  });
  const actor = createActor(tree, { clock });
  actor.start();
  return (async () => {
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    for (let minute = 1; minute <= 7; minute++) {
      clock.increment(60_000);
      await settle();
    }
    actor.stop();
    t.is(samples, 8, 'one sample at start and one a minute');
    const firing = received.map((e) => e.firing.map((f) => f.key).join(','));
    // 95 % from minute 1; fires once it has held 5 minutes (minute 6); clears at minute 7.
    t.deepEqual(firing, ['', '', '', '', '', '', 'cpu:host', '']);
    t.is(received[6]!.at, Date.parse('2026-12-07T08:06:00Z'), 'time is the simulated clock');
  })();
});

function validateHealthJson(t: ExecutionContext, report: HealthReport) {
  t.true(['pass', 'warn', 'fail'].includes(report.status));
  for (const [name, checks] of Object.entries(report.checks)) {
    t.regex(name, /^[a-z]+:[A-Za-z_]+$/, 'check names are component:measurement');
    t.true(Array.isArray(checks));
    for (const check of checks) {
      t.true(['pass', 'warn', 'fail'].includes(check.status));
      t.false(Number.isNaN(Date.parse(check.time)));
    }
  }
}

test('health+json carries the system checks: pass, warn and fail, and the status file says the same', async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({ env: {} }).config;
  const monitor = createMonitor({
    settings: { ...config.monitor, statusFile: join(dir, 'health_status.json') },
    alerts: config.alerts,
    folders: [],
    sources: {
      database: () => ({ ok: true, target: 'x', embedded: false, roundTripMs: 3, lastError: null, checkedAt: null }),
      pool: () => {
        throw new Error('unused');
      },
      tree: () => undefined,
      breakers: () => ({}),
      channels: () => ({}),
      restartsSince: () => 0,
      escalationsSince: () => 0,
    },
    logger: pino({ level: 'silent' }),
    startedAt: Date.now(),
  });
  t.teardown(() => monitor.close());
  const base = {
    version: 't',
    tree: rootOver(),
    database: { ok: true, target: 'db', embedded: false, roundTripMs: 2, lastError: null, checkedAt: null },
    slowRoundTripMs: 1000,
    uptimeS: 1,
  };
  const expect = async (diskPercent: number, status: 'pass' | 'warn' | 'fail') => {
    const { states } = evaluateReadings(
      {},
      [reading('disk', diskPercent, disk, '/data'), reading('memory', 40, cpu)],
      0,
    );
    monitor.actions.publish(undefined, { conditions: states, error: null });
    const report = healthReport({ ...base, extraChecks: monitor.checks() });
    validateHealthJson(t, report);
    t.is(report.status, status, `disk at ${diskPercent} %`);
    t.like(report.checks['monitor:disk']![0], {
      componentId: '/data',
      status,
      observedValue: diskPercent,
      observedUnit: '%',
    });
    t.is(report.checks['monitor:memory']![0]!.status, 'pass');
  };
  await expect(50, 'pass');
  await expect(85, 'warn');
  await expect(95, 'fail');
  const file = join(dir, 'health_status.json');
  await until('the status file with the critical disk', () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')).firing[0]?.severity === 'critical' ? true : undefined;
    } catch {
      return undefined;
    }
  });
  const status = JSON.parse(readFileSync(file, 'utf8'));
  t.like(status.firing[0], { key: 'disk:/data', severity: 'critical' });
  t.is(status.checks['monitor:disk'][0].status, 'fail');
});

test('intake silence: no invoice by 10:00 on a working day, in the configured zone', (t) => {
  const settings = { timeZone: 'Europe/Bratislava', workingDays: [1, 2, 3, 4, 5], by: '10:00' };
  // Monday 7 December 2026, 10:30 in Bratislava is 09:30 UTC.
  const monday1030 = Date.parse('2026-12-07T09:30:00Z');
  t.true(intakeSilent({ ...settings, now: monday1030, lastInvoiceAt: Date.parse('2026-12-04T15:00:00Z') }));
  t.false(intakeSilent({ ...settings, now: monday1030, lastInvoiceAt: Date.parse('2026-12-07T07:10:00Z') }));
  t.false(intakeSilent({ ...settings, now: Date.parse('2026-12-07T08:30:00Z'), lastInvoiceAt: null }), '09:30 local');
  t.false(intakeSilent({ ...settings, now: Date.parse('2026-12-06T12:00:00Z'), lastInvoiceAt: null }), 'a Sunday');
  // Summer time: 10:30 in Bratislava on Monday 6 July 2026 is 08:30 UTC.
  t.true(intakeSilent({ ...settings, now: Date.parse('2026-07-06T08:30:00Z'), lastInvoiceAt: null }));
});

test("intake staleness counts from each channel's last success; drill age from the last drill", async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({ env: {} }).config;
  const now = Date.now();
  const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  const tree = rootOver;
  let last: { mailbox?: string | null; dropFolder?: string | null } = { mailbox: ago(45), dropFolder: null };
  const monitor = createMonitor({
    settings: { ...config.monitor, statusFile: join(dir, 'health_status.json') },
    alerts: config.alerts,
    folders: [],
    sources: {
      database: () => ({
        ok: false,
        target: 'x',
        embedded: false,
        roundTripMs: null,
        lastError: 'down',
        checkedAt: null,
      }),
      pool: () => {
        throw new Error('unused');
      },
      tree: () => undefined,
      breakers: () => ({}),
      channels: () => intakeChannels(tree(['mailbox', 'dropFolder']), last),
      lastDrillAt: () => ago(10 * 24 * 60),
      restartsSince: () => 0,
      escalationsSince: () => 0,
    },
    logger: pino({ level: 'silent' }),
    startedAt: now - 3 * 86_400_000,
  });
  t.teardown(() => monitor.close());
  const sample = async () => {
    const readings = await toPromise(createActor(monitor.actors.sample).start());
    return Object.fromEntries(readings.map((r) => [`${r.condition}:${r.component}`, r.value]));
  };

  const first = await sample();
  t.is(first['intake_stale:mailbox'], 45, 'the mailbox last finished a pass 45 min ago');
  t.is(first['intake_stale:dropFolder'], 0, 'a channel that never succeeded counts from when the monitor first saw it');
  t.true(Math.abs(first['drill_age:backups']! - 10) < 0.01, 'the drill ran 10 days ago');

  last = { mailbox: ago(1), dropFolder: ago(0) };
  const second = await sample();
  t.is(second['intake_stale:mailbox'], 1);
  t.is(second['intake_stale:dropFolder'], 0);
  const { states } = evaluateReadings(
    {},
    (await toPromise(createActor(monitor.actors.sample).start())).filter((r) => r.condition === 'drill_age'),
    now,
  );
  t.is(states['drill_age:backups']?.level, 'warning', 'a drill older than 8 days warns by default');
  t.deepEqual(
    intakeChannels(tree(['dropFolder']), { mailbox: ago(1), dropFolder: null }),
    { dropFolder: null },
    'a channel not in the tree is not watched',
  );
});
