import { fromCallback, fromPromise } from 'xstate';
import type { ChildSpec } from '../../machines/childProtocol.ts';
import { singletonMachine, type LeadershipNews, type SingletonInput } from '../../machines/singleton.ts';
import { createSessionLock } from '../db/advisoryLock.ts';
import { errorCode, errorMessage } from '../errors.ts';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Logger } from './logger.ts';

/**
 * Scale-out (docs/operations.md): several daemons share one PostgreSQL. Invoices are shared
 * through leases; the actors that must run once — the mailbox, the backups, alert mail and
 * reports, a shared drop folder — are wrapped in machines/singleton.ts here, each with its own
 * advisory lock on a connection of its own. With the embedded database there is one daemon by
 * nature, and nothing is wrapped.
 */
export interface SingletonOptions {
  /** Wrap at all: scaleOut.enabled and a configured database.url. */
  active: boolean;
  retryMs: number;
  /** How long a singleton may take to stop after its lock was lost (supervisor.stopTimeoutMs). */
  yieldMs: number;
  connectTimeoutMs: number;
  connectionUrl: () => string;
  /** This daemon's short id: in the lock sessions' application_name and in the logs. */
  instance: string;
  /** The lock name of each child that is a singleton, by child id; a child not named here runs on every instance. */
  lockNames: Record<string, string>;
  /** Told of each change of leadership (the alerter listens for alertMail). */
  listeners?: Record<string, (news: LeadershipNews) => void>;
  /** Told each singleton's note as it changes (the `invoice_loader_singleton_leading` gauge). */
  onNote?: (childId: string, note: LockNote) => void;
  logger: Logger;
}

/** What inspect shows beside a singleton wrapper. */
export type LockNote = 'held here' | 'held by another instance' | 'not held' | 'database unreachable';

export function createSingletons(options: SingletonOptions) {
  const held = new Map<string, LockNote>();
  const notes = {
    get: (childId: string) => held.get(childId),
    set(childId: string, note: LockNote) {
      if (held.get(childId) !== note) options.onNote?.(childId, note);
      held.set(childId, note);
    },
    entries: () => [...held],
  };

  function announcer(childId: string, lockName: string) {
    const log = options.logger.child({ actor: `singleton:${childId}`, singleton: childId });
    return (_args: unknown, news: LeadershipNews) => {
      options.listeners?.[childId]?.(news);
      const before = notes.get(childId);
      switch (news.event) {
        case 'leading':
          notes.set(childId, 'held here');
          log.info(
            { lock: lockName, acquisitions: news.acquisitions, code: 'SINGLETON_LEADING' },
            `${childId} runs on this instance (${options.instance}): it holds the lock ${lockName}`,
          );
          return;
        case 'lost':
          notes.set(childId, 'not held');
          log.warn(
            { lock: lockName, err: news.error, code: 'SINGLETON_LOCK_LOST' },
            `the lock of ${childId} was lost (${errorMessage(news.error)}); stopping it here before another instance may take it`,
          );
          return;
        case 'held_elsewhere':
          notes.set(childId, 'held by another instance');
          if (before !== 'held by another instance')
            log.info({ lock: lockName }, `${childId} runs on another instance; this one stands by`);
          return;
        case 'acquire_failed':
          notes.set(childId, 'database unreachable');
          // The database actor reports the outage itself; one line per singleton would repeat it.
          log.debug(
            { lock: lockName, err: news.error, code: errorCode(news.error) },
            `cannot try the lock of ${childId}`,
          );
          return;
        case 'released':
          if (before === 'held here') notes.set(childId, 'not held');
          log.debug({ lock: lockName }, `${childId} no longer runs here; its lock is released`);
          return;
      }
    };
  }

  /** The child itself when it is not a singleton (or scale-out is off), else its wrapper `singleton:<id>`. */
  function wrap(spec: ChildSpec): ChildSpec {
    const lockName = options.lockNames[spec.id];
    if (!options.active || !lockName) return spec;
    const lock = createSessionLock({
      name: lockName,
      connectionUrl: options.connectionUrl,
      connectTimeoutMs: options.connectTimeoutMs,
      checkMs: options.retryMs,
      applicationName: `invoice-loader ${options.instance} singleton ${spec.id}`,
    });
    notes.set(spec.id, 'not held');
    const logic = singletonMachine.provide({
      actors: {
        acquire: fromPromise<boolean>(() => lock.tryAcquire()),
        hold: fromCallback(({ sendBack }) => {
          const unwatch = lock.watch((error) => sendBack({ type: 'lock.lost', error }));
          return () => {
            unwatch();
            void lock.release();
          };
        }),
        leader: spec.logic,
      },
      actions: { announce: announcer(spec.id, lockName) },
    });
    return {
      id: `singleton:${spec.id}`,
      logic,
      restart: spec.restart,
      input: {
        childId: spec.id,
        childInput: spec.input,
        retryMs: options.retryMs,
        yieldMs: options.yieldMs,
      } satisfies SingletonInput,
      // The wrapper's stop is its child's: the same budget.
      ...(spec.shutdown === undefined ? {} : { shutdown: spec.shutdown }),
    };
  }

  return {
    wrap,
    /** For the actor tree's notes: `lock: held here` on the wrapper `singleton:<id>`. */
    note: (actorId: string): Record<string, string> | undefined => {
      const childId = actorId.startsWith('singleton:') ? actorId.slice('singleton:'.length) : undefined;
      const note = childId ? notes.get(childId) : undefined;
      return note ? { lock: note } : undefined;
    },
    /** Which singletons run here now, for the heartbeat. */
    leading: (): string[] =>
      notes
        .entries()
        .filter(([, note]) => note === 'held here')
        .map(([id]) => id),
  };
}

export type Singletons = ReturnType<typeof createSingletons>;

/**
 * The advisory lock of each singleton, by child id. The mailbox's names its account, so two
 * daemons reading different accounts do not wait for each other; a shared drop folder's names
 * the folder (scaleOut.dropFolder: perInstance leaves each daemon its own folder).
 */
export function singletonLocks(config: Config): Record<string, string> {
  const imap = config.intake.imap;
  return {
    mailbox: `mailbox:${imap.user}@${imap.host}:${imap.port}/${imap.mailbox}`,
    backup: 'backup',
    alertMail: 'alertMail',
    ...(config.scaleOut.dropFolder === 'shared'
      ? { dropFolder: `dropFolder:${resolve(config.intake.dropFolder.path)}` }
      : {}),
  };
}
