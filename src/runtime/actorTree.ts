import type { AnyActorRef } from 'xstate';
import type { SupervisorContext } from '../../machines/supervisor.ts';
import type { ChildRecord } from '../../machines/supervisionPlan.ts';
import type { SingletonContext } from '../../machines/singleton.ts';
import { stateLabel } from './inspectionBus.ts';

/** One node of the live actor tree, as `inspect` and `GET /api/actors` show it. */
export interface ActorNode {
  id: string;
  kind: 'supervisor' | 'worker';
  /** The actor's own state (`connected`, `working.backoff`), or its supervisor's view when it is not running. */
  state: string;
  /** The supervisor's view of the child: starting, running, backoff, failed, stopped… */
  status: string;
  restarts: number;
  since: string | null;
  lastError: string | null;
  /** Ms its supervisor waits for it to stop before stopping it by force (absent for the root: shutdown.timeoutMs bounds it). */
  shutdownMs?: number;
  /** What the actor's I/O reports beside its state, e.g. the NEX writer's `breaker: open`. */
  notes?: Record<string, string>;
  children: ActorNode[];
}

/** Extra facts per actor id, from the services behind the machines (breakers, connections). */
export type ActorNotes = (id: string) => Record<string, string> | undefined;

function isSupervisor(context: unknown): context is SupervisorContext {
  return !!context && typeof context === 'object' && 'specs' in context && 'restartLog' in context;
}

function isSingleton(context: unknown): context is SingletonContext {
  return !!context && typeof context === 'object' && 'childId' in context && 'retryMs' in context;
}

export function actorTree(root: AnyActorRef, notes: ActorNotes = () => undefined): ActorNode {
  return describe(root, undefined, notes);
}

function describe(
  ref: AnyActorRef | undefined,
  record: ChildRecord | undefined,
  notes: ActorNotes,
  id = ref?.id ?? '?',
  shutdownMs?: number,
): ActorNode {
  const snapshot = ref?.getSnapshot() as
    { value?: unknown; status?: string; context?: unknown; children?: Record<string, AnyActorRef> } | undefined;
  const context = snapshot?.context;
  const supervisor = isSupervisor(context);
  const alive = snapshot?.status === 'active';
  return {
    id,
    kind: supervisor ? 'supervisor' : 'worker',
    state: alive ? stateLabel(snapshot?.value) : (record?.status ?? snapshot?.status ?? 'unknown'),
    status: record?.status ?? (alive ? 'running' : (snapshot?.status ?? 'unknown')),
    restarts: record?.restarts ?? 0,
    since: record?.since ? new Date(record.since).toISOString() : null,
    lastError: record?.lastError ?? null,
    ...(shutdownMs !== undefined ? { shutdownMs } : {}),
    ...(notes(id) ? { notes: notes(id) } : {}),
    children: supervisor
      ? context.specs.map((spec) => {
          const childRecord = context.children[spec.id];
          const childRef = snapshot?.children?.[spec.id];
          const running = childRecord && ['starting', 'running', 'stopping'].includes(childRecord.status);
          return describe(
            running ? childRef : undefined,
            childRecord,
            notes,
            spec.id,
            context.shutdownBudgets[spec.id],
          );
        })
      : isSingleton(context)
        ? singletonChild(snapshot?.children?.[context.childId], context.childId, notes)
        : [],
  };
}

/** A singleton wrapper's child exists only on the instance that holds its lock (state `leading`). */
function singletonChild(ref: AnyActorRef | undefined, id: string, notes: ActorNotes): ActorNode[] {
  return ref && ref.getSnapshot().status === 'active' ? [describe(ref, undefined, notes, id)] : [];
}

export function flattenTree(node: ActorNode): ActorNode[] {
  return [node, ...node.children.flatMap(flattenTree)];
}
