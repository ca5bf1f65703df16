import type { InspectionEvent } from 'xstate';

/** A compact, JSON-safe form of an XState inspection event (no snapshots, no functions). */
export interface InspectionRecord {
  at: string;
  type: InspectionEvent['type'];
  actor: string;
  event?: string;
  state?: string;
  status?: string;
}

type Listener = (record: InspectionRecord) => void;

/**
 * The one place every actor's inspection events go (the root actor is created with
 * `inspect: bus.observe`, which covers the whole actor system). Work is done only while
 * someone listens: the live stream of the inspector, or a test.
 */
export function createInspectionBus() {
  const listeners = new Set<Listener>();
  return {
    observe(event: InspectionEvent): void {
      if (listeners.size === 0) return;
      const record = toRecord(event);
      if (!record) return;
      for (const listener of listeners) listener(record);
    },
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}

export type InspectionBus = ReturnType<typeof createInspectionBus>;

export function stateLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, inner]) => {
        const rest = stateLabel(inner);
        return rest ? `${key}.${rest}` : key;
      })
      .join(',');
  }
  return '';
}

function toRecord(event: InspectionEvent): InspectionRecord | undefined {
  const at = new Date().toISOString();
  const actor = (event.actorRef as { id?: string }).id ?? 'unknown';
  switch (event.type) {
    case '@xstate.event':
      // Delayed-event plumbing is noise for a human watching the stream.
      if (event.event.type.startsWith('xstate.after')) return undefined;
      return { at, type: event.type, actor, event: event.event.type };
    case '@xstate.snapshot': {
      const snapshot = event.snapshot as { value?: unknown; status?: string };
      return {
        at,
        type: event.type,
        actor,
        event: event.event.type,
        state: stateLabel(snapshot.value),
        status: snapshot.status,
      };
    }
    case '@xstate.actor':
      return { at, type: event.type, actor };
    default:
      return undefined;
  }
}
