import type { AnyActorLogic } from 'xstate';
import type { ChildSpec } from './childProtocol.ts';
import type { SupervisorInput, SupervisorSettings } from './supervisor.ts';

/**
 * The daemon's actor tree (drawn in docs/architecture.md). Order matters: children start top to bottom and
 * stop bottom to top, so the database is up before anything uses it and goes down last.
 *
 *   root (one_for_one)
 *   ├── database
 *   ├── intake (one_for_one)
 *   │   ├── dropFolder   singleton when instances share the folder
 *   │   ├── http
 *   │   └── mailbox      singleton; IMAP: stores attachments, then moves or marks the mail
 *   ├── pipeline (one_for_one)
 *   │   ├── extractor (one_for_one)
 *   │   │   └── worker-1 … worker-N   one slot each; its thread starts with its first document
 *   │   │                             and ends after extraction.idleWorkerMs without one
 *   │   ├── invoices     one lifecycle actor per invoice, spawned as work is claimed
 *   │   └── nexWriter    one posting actor per approved invoice (outbox files or the NEX gateway)
 *   ├── backup       singleton; scheduled backups, verification, retention, restore drills
 *   ├── monitor      system and pipeline samples → conditions (health, metrics, alerts)
 *   ├── alertMail    singleton (only with several instances): while it runs here, this alerter mails
 *   ├── alerter      alert mail, reports; stops before the database so it can mail the shutdown
 *   └── heartbeat
 *
 * A singleton runs on one instance of those sharing the database: `singleton` (provided from
 * src/runtime/singletons.ts) wraps its spec in machines/singleton.ts, or leaves it as it is
 * when there is one instance by nature (the embedded database) or scale-out is off.
 */
export interface DaemonLogics {
  supervisor: AnyActorLogic;
  database: AnyActorLogic;
  dropFolder: AnyActorLogic | undefined;
  http: AnyActorLogic | undefined;
  mailbox?: AnyActorLogic | undefined;
  extractionWorkers: Array<{ id: string; logic: AnyActorLogic }>;
  invoices: AnyActorLogic;
  nexWriter: AnyActorLogic;
  backup: AnyActorLogic | undefined;
  monitor?: AnyActorLogic | undefined;
  /** The alerter's mail role under scale-out (src/alerts/alerterService.ts `mailerActors`). */
  alertMail?: AnyActorLogic | undefined;
  alerter?: AnyActorLogic | undefined;
  heartbeat: AnyActorLogic;
  /** Wraps a child that must run on one instance only; absent: every child runs here. */
  singleton?: (spec: ChildSpec) => ChildSpec;
}

export interface DaemonTreeInputs {
  supervision: SupervisorSettings;
  database: unknown;
  mailbox?: unknown;
  invoices: unknown;
  nexWriter: unknown;
  backup: unknown;
  alerter?: unknown;
  heartbeat: { intervalMs: number };
}

export function daemonTree(logics: DaemonLogics, inputs: DaemonTreeInputs): SupervisorInput {
  const supervisor = (id: string, children: ChildSpec[]): ChildSpec => ({
    id,
    logic: logics.supervisor,
    restart: 'permanent',
    // Its shutdown budget is its subtree's: the parent waits for every child of it (shutdownBudget.ts).
    type: 'supervisor',
    input: { id, strategy: 'one_for_one', children, ...inputs.supervision } satisfies SupervisorInput,
  });
  const optional = (id: string, logic: AnyActorLogic | undefined, shutdown?: number): ChildSpec[] =>
    logic ? [{ id, logic, restart: 'permanent', ...(shutdown === undefined ? {} : { shutdown }) }] : [];
  const single = (specs: ChildSpec[]): ChildSpec[] => specs.map(logics.singleton ?? ((spec) => spec));
  // Shutdown budgets (OTP's child spec `shutdown`): the workers whose stop only ends timers, a
  // thread or idle sockets get a short one, so the whole tree's worst case fits shutdown.timeoutMs;
  // those that finish work in hand (a mail, a scan, leases, a posting, the farewell mail) keep
  // supervisor.stopTimeoutMs. Never more than that: a user who lowers it lowers them all.
  const quick = (ms: number) => Math.min(ms, inputs.supervision.stopTimeoutMs);
  return {
    id: 'root',
    strategy: 'one_for_one',
    ...inputs.supervision,
    children: [
      // The pool's end waits up to 2 s for its sockets to close (src/db/guardedPool.ts).
      { id: 'database', logic: logics.database, restart: 'permanent', input: inputs.database, shutdown: quick(3_000) },
      // The mailbox last: it stops first, finishing the mail in hand while the rest still runs.
      supervisor('intake', [
        ...single(optional('dropFolder', logics.dropFolder)),
        ...optional('http', logics.http, quick(3_000)), // in-flight requests: an upload commits well within it
        ...single(
          logics.mailbox
            ? [{ id: 'mailbox', logic: logics.mailbox, restart: 'permanent' as const, input: inputs.mailbox }]
            : [],
        ),
      ]),
      supervisor('pipeline', [
        supervisor(
          'extractor',
          // A worker's thread (if it has one running) is terminated; the document it held is claimed again after its lease.
          logics.extractionWorkers.map(({ id, logic }) => ({
            id,
            logic,
            restart: 'permanent',
            shutdown: quick(1_000),
          })),
        ),
        { id: 'invoices', logic: logics.invoices, restart: 'permanent', input: inputs.invoices },
        { id: 'nexWriter', logic: logics.nexWriter, restart: 'permanent', input: inputs.nexWriter },
      ]),
      ...single(
        logics.backup
          ? [{ id: 'backup', logic: logics.backup, restart: 'permanent' as const, input: inputs.backup }]
          : [],
      ),
      ...optional('monitor', logics.monitor, quick(1_000)),
      // Before the alerter, so it stops after it: the mailer's farewell still mails as the mailer.
      ...single(optional('alertMail', logics.alertMail, quick(1_000))),
      ...(logics.alerter
        ? [{ id: 'alerter', logic: logics.alerter, restart: 'permanent' as const, input: inputs.alerter }]
        : []),
      {
        id: 'heartbeat',
        logic: logics.heartbeat,
        restart: 'permanent',
        input: inputs.heartbeat,
        shutdown: quick(1_000),
      },
    ],
  };
}
