import type { AnyActorLogic } from 'xstate';
import type { ChildSpec } from './childProtocol.ts';
import type { SupervisorInput, SupervisorSettings } from './supervisor.ts';

/**
 * The daemon's actor tree (DESIGN.md §1). Order matters: children start top to bottom and
 * stop bottom to top, so the database is up before anything uses it and goes down last.
 *
 *   root (one_for_one)
 *   ├── database
 *   ├── intake (one_for_one)
 *   │   └── http
 *   └── heartbeat
 *
 * Later capabilities add their actors here (mailbox and dropFolder under intake, the
 * pipeline supervisor, backup, monitor, alerter).
 */
export interface DaemonLogics {
  supervisor: AnyActorLogic;
  database: AnyActorLogic;
  http: AnyActorLogic | undefined;
  heartbeat: AnyActorLogic;
}

export interface DaemonTreeInputs {
  supervision: SupervisorSettings;
  database: unknown;
  heartbeat: { intervalMs: number };
}

export function daemonTree(logics: DaemonLogics, inputs: DaemonTreeInputs): SupervisorInput {
  const supervisor = (id: string, children: ChildSpec[]): ChildSpec => ({
    id,
    logic: logics.supervisor,
    restart: 'permanent',
    input: { id, strategy: 'one_for_one', children, ...inputs.supervision } satisfies SupervisorInput,
  });
  const intake: ChildSpec[] = logics.http ? [{ id: 'http', logic: logics.http, restart: 'permanent' }] : [];
  return {
    id: 'root',
    strategy: 'one_for_one',
    ...inputs.supervision,
    children: [
      { id: 'database', logic: logics.database, restart: 'permanent', input: inputs.database },
      supervisor('intake', intake),
      { id: 'heartbeat', logic: logics.heartbeat, restart: 'permanent', input: inputs.heartbeat },
    ],
  };
}
