import type { ActorNode } from '../../src/runtime/actorTree.ts';

/**
 * An actor tree node as the inspector reports it, running and never restarted unless the test
 * says otherwise: the trees health, the console and the monitor are tested against.
 */
export function actorNode(id: string, fields: Partial<ActorNode> = {}): ActorNode {
  return {
    id,
    kind: fields.children?.length ? 'supervisor' : 'worker',
    state: 'running',
    status: 'running',
    restarts: 0,
    since: null,
    lastError: null,
    children: [],
    ...fields,
  };
}

/** A root supervisor over workers with these ids. */
export const rootOver = (ids: string[] = []): ActorNode =>
  actorNode('root', { kind: 'supervisor', children: ids.map((id) => actorNode(id)) });
