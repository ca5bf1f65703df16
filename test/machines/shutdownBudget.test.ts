import test from 'ava';
import { createActor, SimulatedClock } from 'xstate';
import type { ChildSpec } from '../../machines/childProtocol.ts';
import {
  budgetOverrun,
  childBudget,
  childBudgets,
  subtreeBudget,
  SUPERVISOR_MARGIN_MS,
} from '../../machines/shutdownBudget.ts';
import { supervisorMachine, type Announcement, type SupervisorInput } from '../../machines/supervisor.ts';
import { actorTree, flattenTree } from '../../src/runtime/actorTree.ts';
import { settings, worker } from '../support/supervision.ts';

const margin = SUPERVISOR_MARGIN_MS;

function supervisor(id: string, children: ChildSpec[], overrides: Partial<SupervisorInput> = {}): ChildSpec {
  return {
    id,
    logic: supervisorMachine,
    restart: 'permanent',
    type: 'supervisor',
    input: { id, strategy: 'one_for_one', children, ...settings, ...overrides },
  };
}

/** A root over `children`, every supervisor in the tree announcing into one list, on one simulated clock. */
function startTree(children: ChildSpec[], overrides: Partial<SupervisorInput> = {}) {
  const clock = new SimulatedClock();
  const announcements: Announcement[] = [];
  const machine = supervisorMachine.provide({
    actions: { announce: (_args, params) => void announcements.push(params as Announcement) },
  });
  const onClock = (spec: ChildSpec): ChildSpec =>
    spec.type === 'supervisor'
      ? {
          ...spec,
          logic: machine,
          input: {
            ...(spec.input as SupervisorInput),
            children: (spec.input as SupervisorInput).children.map(onClock),
            now: () => clock.now(),
            random: () => 0,
          },
        }
      : spec;
  const root = createActor(machine, {
    clock,
    input: {
      id: 'root',
      strategy: 'one_for_one',
      children: children.map(onClock),
      ...settings,
      now: () => clock.now(),
      random: () => 0,
      ...overrides,
    },
  });
  const errors: unknown[] = [];
  root.subscribe({ error: (error) => void errors.push(error) });
  root.start();
  const stops = () =>
    announcements.flatMap((a) => (a.event === 'child_stopped' ? [`${a.child}${a.forced ? ' (forced)' : ''}`] : []));
  return { root, clock, stops, errors };
}

test('a worker gets supervisor.stopTimeoutMs unless its spec sets its own budget', (t) => {
  t.is(childBudget(worker('a'), settings), settings.stopTimeoutMs);
  t.is(childBudget({ ...worker('a'), shutdown: 7_000 }, settings), 7_000);
});

test("a supervisor's budget is the sum of its subtree's budgets plus a margin per level", (t) => {
  const extractor = supervisor('extractor', [worker('w1'), worker('w2')]);
  const pipeline = supervisor('pipeline', [extractor, worker('invoices'), { ...worker('nexWriter'), shutdown: 9_000 }]);
  t.is(childBudget(extractor, settings), 2 * 2_000 + margin);
  t.is(childBudget(pipeline, settings), 2 * 2_000 + margin + 2_000 + 9_000 + margin);
  t.deepEqual(childBudgets({ ...settings, children: [worker('database'), pipeline] }), {
    database: 2_000,
    pipeline: 15_000 + 2 * margin,
  });
  t.is(subtreeBudget({ ...settings, children: [worker('database'), pipeline] }), 17_000 + 3 * margin);
  t.is(childBudget({ ...pipeline, shutdown: 1_000 }, settings), 1_000, "an explicit budget replaces the subtree's sum");
});

test('no budget exceeds shutdown.timeoutMs, and the overrun is reported with its numbers', (t) => {
  const limited = { ...settings, shutdownLimitMs: 5_000 };
  const intake = supervisor('intake', [worker('dropFolder'), worker('http'), worker('mailbox')], limited);
  const root = { ...limited, children: [worker('database'), intake, { ...worker('heartbeat'), shutdown: 9_000 }] };
  t.deepEqual(childBudgets(root), { database: 2_000, intake: 5_000, heartbeat: 5_000 });
  t.deepEqual(budgetOverrun(root), {
    budgetMs: 2_000 + (6_000 + margin) + 9_000,
    limitMs: 5_000,
    clamped: ['intake', 'heartbeat'],
    budgets: { database: 2_000, intake: 5_000, heartbeat: 5_000 },
  });
  t.is(budgetOverrun({ ...settings, shutdownLimitMs: 20_000, children: [worker('database'), intake] }), undefined);
  t.is(budgetOverrun({ ...settings, children: [worker('database'), intake] }), undefined, 'no limit, no overrun');
});

test('a nested supervisor whose children need more than a worker budget, but less than its own, is not stopped by force', (t) => {
  const slow = { stopTakesMs: 1_500 }; // within a worker's 2 s, but 3 s for both together
  const tree = startTree([
    worker('first'),
    supervisor('inner', [worker('a', 'permanent', slow), worker('b', 'permanent', slow)]),
  ]);
  tree.root.send({ type: 'child.stop' });
  tree.clock.increment(1_500);
  t.deepEqual(tree.stops(), ['b']);
  tree.clock.increment(settings.stopTimeoutMs - 1_500);
  t.deepEqual(tree.stops(), ['b'], 'one flat timeout would have cut inner off here');
  tree.clock.increment(1_000);
  t.deepEqual(tree.stops(), ['b', 'a', 'inner', 'first']);
  t.is(tree.root.getSnapshot().status, 'done');
  t.deepEqual(tree.errors, []);
});

test('a child that exceeds its own budget is stopped by force, and its supervisor still in time', (t) => {
  const tree = startTree([
    supervisor('inner', [
      worker('a', 'permanent', { stopTakesMs: 2_500 }), // over the worker budget of 2 s
      { ...worker('b', 'permanent', { stopTakesMs: 2_500 }), shutdown: 3_000 }, // within its own 3 s
    ]),
  ]);
  tree.root.send({ type: 'child.stop' });
  tree.clock.increment(2_500);
  t.deepEqual(tree.stops(), ['b']);
  tree.clock.increment(settings.stopTimeoutMs - 1);
  t.deepEqual(tree.stops(), ['b']);
  tree.clock.increment(1);
  t.deepEqual(tree.stops(), ['b', 'a (forced)', 'inner']);
  t.is(tree.root.getSnapshot().status, 'done');
});

test("a subtree's budget cut to shutdown.timeoutMs is enforced: the parent stops it by force at the limit", (t) => {
  const slow = { stopTakesMs: 1_500 };
  const tree = startTree(
    [supervisor('inner', [worker('a', 'permanent', slow), worker('b', 'permanent', slow)], { shutdownLimitMs: 2_500 })],
    { shutdownLimitMs: 2_500 },
  );
  t.is(tree.root.getSnapshot().context.shutdownBudgets.inner, 2_500);
  tree.root.send({ type: 'child.stop' });
  tree.clock.increment(2_500);
  t.deepEqual(tree.stops(), ['b', 'inner (forced)']);
  t.is(tree.root.getSnapshot().status, 'done');
});

test('inspect shows each running child with the budget its supervisor gives it', (t) => {
  const tree = startTree([worker('first'), supervisor('inner', [worker('a'), { ...worker('b'), shutdown: 3_000 }])]);
  const budgets = Object.fromEntries(flattenTree(actorTree(tree.root)).map((node) => [node.id, node.shutdownMs]));
  t.deepEqual(budgets, { [tree.root.id]: undefined, first: 2_000, inner: 5_000 + margin, a: 2_000, b: 3_000 });
});

test('the default tree fits the default shutdown.timeoutMs, with the mailbox on, eight extraction workers and scale-out', async (t) => {
  const { daemonTree } = await import('../../machines/daemon.ts');
  const { loadConfig } = await import('../../src/config/load.ts');
  const config = loadConfig({ env: {} }).config;
  const logic = supervisorMachine;
  const tree = daemonTree(
    {
      supervisor: supervisorMachine,
      database: logic,
      dropFolder: logic,
      http: logic,
      mailbox: logic,
      extractionWorkers: Array.from({ length: 8 }, (_, i) => ({ id: `worker-${i + 1}`, logic })),
      invoices: logic,
      nexWriter: logic,
      backup: logic,
      monitor: logic,
      alertMail: logic,
      alerter: logic,
      heartbeat: logic,
      // Scale-out wraps a singleton in a child of the same budget (src/runtime/singletons.ts).
      singleton: (spec) => ({ ...spec, id: `singleton:${spec.id}` }),
    },
    {
      supervision: { ...config.supervisor, shutdownLimitMs: config.shutdown.timeoutMs },
      database: {},
      invoices: {},
      nexWriter: {},
      backup: {},
      heartbeat: { intervalMs: 1_000 },
    },
  );
  t.is(budgetOverrun(tree), undefined, 'no SHUTDOWN_BUDGET_CLAMPED warning on a default start');
  const whole = tree.children.reduce((sum, spec) => sum + childBudget(spec, tree), 0);
  t.true(whole <= config.shutdown.timeoutMs, `${whole} ms within ${config.shutdown.timeoutMs} ms`);
  t.log(`the whole tree's worst case: ${whole} ms`);
  t.is(childBudgets(tree).heartbeat, 1_000, 'a worker that only ends a timer gets a short budget');
  t.is(childBudgets(tree).alerter, config.supervisor.stopTimeoutMs, 'the farewell mail keeps the full worker budget');
});
