import { createHash } from 'node:crypto';
import pg from 'pg';
import { LoaderError } from '../errors.ts';

/**
 * One PostgreSQL session-level advisory lock on a connection of its own, outside the pool:
 * the lock lives exactly as long as that session. When the holding process dies, the kernel
 * closes its socket, PostgreSQL ends the session and frees the lock, and the next attempt of
 * another instance takes it. Nothing is unlocked by hand: ending the session is the release.
 *
 * Advisory locks are per database, so the key only has to be unique within this product.
 * A transaction-pooling proxy (PgBouncer in transaction mode) cannot carry a session lock:
 * the lock connection must reach PostgreSQL directly (docs/operations.md, Scale-out).
 */
export interface SessionLockOptions {
  /** What the lock is for (`mailbox:…`, `backup`): the key is derived from it. */
  name: string;
  /** The database the instances share. Holds the password: never logged. */
  connectionUrl: () => string;
  connectTimeoutMs: number;
  /** How often a held lock's session is asked whether it is still there (also each check's timeout). */
  checkMs: number;
  /** Shown in pg_stat_activity, so an operator can see which instance holds what. */
  applicationName: string;
}

export interface SessionLock {
  /** The bigint key, as text (pg_locks shows it as classid (high 32 bits) and objid (low 32 bits)). */
  key: string;
  /** Tries once, without waiting: true when this session holds the lock now. Rejects when the database cannot be reached. */
  tryAcquire(): Promise<boolean>;
  /** While held: `onLost` once, when the session ends or stops answering. The returned function ends the watch. */
  watch(onLost: (error: Error) => void): () => void;
  /** Ends the session, which frees the lock; the next tryAcquire opens a new one. */
  release(): Promise<void>;
}

/** A stable key for a name: PostgreSQL's own hashtext() is not promised to stay the same across versions. */
export function lockKey(name: string): string {
  return createHash('sha256').update(`invoice-loader:${name}`).digest().readBigInt64BE(0).toString();
}

/*
 * The server notices a holder that vanished without closing its socket (a host powered off, a
 * cut network) only by TCP keepalive, which defaults to two hours; these per-session settings
 * free such a lock after about 25 s. The holder's own check (checkMs) stops its singleton sooner
 * than that, so the two never overlap.
 */
const SERVER_KEEPALIVE = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3';

export function createSessionLock(options: SessionLockOptions): SessionLock {
  const key = lockKey(options.name);
  let session: pg.Client | undefined;
  let onLost: ((error: Error) => void) | undefined;
  let checks: NodeJS.Timeout | undefined;

  function unwatch(): void {
    clearInterval(checks);
    checks = undefined;
    onLost = undefined;
  }

  /** Forgets the session (closing it frees the lock) and tells the watcher, once. */
  function drop(error: Error): void {
    const ended = session;
    session = undefined;
    clearInterval(checks);
    checks = undefined;
    void ended?.end().catch(() => undefined);
    const tell = onLost;
    onLost = undefined;
    tell?.(error);
  }

  function lostError(cause: unknown): LoaderError {
    return new LoaderError(
      'SINGLETON_LOCK_LOST',
      `Spojenie, ktoré drží zámok ${options.name}, skončilo. / The connection holding the lock ${options.name} ended.`,
      { cause },
    );
  }

  async function open(): Promise<pg.Client> {
    if (session) return session;
    const client = new pg.Client({
      connectionString: options.connectionUrl(),
      connectionTimeoutMillis: options.connectTimeoutMs,
      query_timeout: Math.max(options.checkMs, options.connectTimeoutMs),
      application_name: options.applicationName,
      keepAlive: true,
      options: SERVER_KEEPALIVE,
    });
    // Without a listener a terminated backend's 'error' would be an uncaught exception (see db/transaction.ts).
    client.on('error', (error) => {
      if (session === client) drop(lostError(error));
    });
    client.on('end', () => {
      if (session === client) drop(lostError(new Error('connection ended')));
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    session = client;
    return client;
  }

  return {
    key,
    async tryAcquire() {
      const client = await open();
      try {
        const { rows } = await client.query<{ acquired: boolean }>(
          'SELECT pg_try_advisory_lock($1::bigint) AS acquired',
          [key],
        );
        return rows[0]!.acquired;
      } catch (error) {
        drop(lostError(error));
        throw error;
      }
    },
    watch(lost) {
      unwatch();
      onLost = lost;
      if (!session) {
        drop(lostError(new Error('no session')));
        return unwatch;
      }
      let checking = false;
      checks = setInterval(() => {
        const client = session;
        if (checking || !client) return;
        checking = true;
        client
          .query('SELECT 1')
          .catch((error: unknown) => {
            if (session === client) drop(lostError(error));
          })
          .finally(() => (checking = false));
      }, options.checkMs);
      return unwatch;
    },
    async release() {
      const ended = session;
      session = undefined;
      unwatch();
      await ended?.end().catch(() => undefined);
    },
  };
}
