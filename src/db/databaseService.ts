import { hostname } from 'node:os';
import pg from 'pg';
import { fromCallback, fromPromise } from 'xstate';
import type { Config } from '../config/schema.ts';
import { LoaderError } from '../errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';
import { migrate } from './migrate.ts';
import { guardPool } from './guardedPool.ts';
import { withClient } from './transaction.ts';
import { describeTarget, explainConnectionError } from './target.ts';

export interface DatabaseStatus {
  ok: boolean;
  target: string;
  embedded: boolean;
  roundTripMs: number | null;
  lastError: string | null;
  checkedAt: string | null;
}

/** What the rest of the daemon uses: the pool while connected, and the last known status. */
export interface DatabaseHandle {
  pool(): pg.Pool;
  status(): DatabaseStatus;
  /** The connection string in use, for tools such as pg_dump. Holds the password: never log it. */
  connectionUrl(): string;
}

export interface DaemonInstance {
  id: string;
  version: string;
}

/**
 * The I/O behind machines/database.ts: the `connect`, `watch` and `disconnect` actors and
 * the announcements, plus the handle. One pool for the process's life: pg replaces broken
 * connections itself, so a reconnect only has to prove the server answers again.
 */
/** How pending migrations are applied; the daemon passes one that backs up first (src/upgrade/). */
export type MigrationStep = (client: pg.ClientBase, url: string, log: (message: string) => void) => Promise<string[]>;

export function createDatabaseService(
  settings: Config['database'],
  logger: Logger,
  instance: DaemonInstance,
  migrateStep: MigrationStep = (client, _url, log) => migrate(client, log),
) {
  let pool: pg.Pool | undefined;
  let guarded: ReturnType<typeof guardPool> | undefined;
  let embedded: EmbeddedServer | undefined;
  let url = settings.url;
  const status: DatabaseStatus = {
    ok: false,
    target: settings.url ? describeTarget(settings.url) : `embedded (${settings.embedded.dir})`,
    embedded: settings.url === '',
    roundTripMs: null,
    lastError: null,
    checkedAt: null,
  };
  const log = logger.child({ actor: 'database' });
  let checkNow: (() => void) | undefined;

  async function openPool(): Promise<pg.Pool> {
    if (embedded && !embedded.alive()) await forgetDeadServer(embedded);
    if (pool) return pool;
    if (!url) {
      const server = log.child({ component: 'postgres' });
      embedded = await startEmbeddedPostgres(
        settings.embedded,
        (message) => log.info(message),
        // The server's own lines: its warnings and errors are worth seeing, the rest is detail.
        (line) => (/\] (WARNING|ERROR|FATAL|PANIC): /.test(line) ? server.warn(line) : server.debug(line)),
      );
      url = embedded.url;
      status.target = describeTarget(url);
      log.info({ target: status.target, mode: embedded.mode }, 'embedded PostgreSQL is up');
    }
    pool = new pg.Pool({
      connectionString: url,
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      application_name: 'invoice-loader',
    });
    guarded = guardPool(pool, (error) => log.debug({ err: error }, 'database connection ended'));
    // An idle client's error (server restart) must not become an uncaught exception; the watcher notices.
    pool.on('error', (error) => {
      log.warn({ err: error }, 'idle database connection lost');
      checkNow?.();
    });
    return pool;
  }

  /**
   * The embedded postmaster died (killed, crashed): drop its pool and forget it, so that this
   * attempt starts it again on the same data folder. The database actor's backoff paces the
   * attempts while the old server's processes are still going away.
   */
  async function forgetDeadServer(dead: EmbeddedServer): Promise<void> {
    log.warn({ code: 'EMBEDDED_DB_DIED' }, 'the embedded PostgreSQL has stopped; starting it again');
    const old = pool;
    pool = undefined;
    embedded = undefined;
    url = settings.url;
    void old?.end().catch(() => undefined);
    await dead.stop().catch(() => undefined);
  }

  async function roundTrip(client: pg.Pool | pg.ClientBase): Promise<number> {
    const started = performance.now();
    await client.query('UPDATE daemon_instances SET last_seen_at = now() WHERE id = $1', [instance.id]);
    return performance.now() - started;
  }

  function markUp(ms: number) {
    Object.assign(status, {
      ok: true,
      roundTripMs: Math.round(ms * 10) / 10,
      lastError: null,
      checkedAt: new Date().toISOString(),
    });
  }

  const connect = fromPromise<void>(async () => {
    try {
      await withClient(await openPool(), async (client) => {
        const applied = await migrateStep(client, url, (message) => log.info({ migration: message }, 'migration'));
        if (applied.length) log.info({ applied }, 'database migrated');
        await client.query(
          `INSERT INTO daemon_instances (id, hostname, pid, version) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET last_seen_at = now(), stopped_at = NULL`,
          [instance.id, hostname(), process.pid, instance.version],
        );
        markUp(await roundTrip(client));
      });
    } catch (error) {
      const explained = error instanceof LoaderError ? error : explainConnectionError(error, url || settings.url);
      Object.assign(status, { ok: false, lastError: explained.message, checkedAt: new Date().toISOString() });
      throw explained;
    }
  });

  const watch = fromCallback(({ sendBack }) => {
    let inFlight = false;
    const check = async () => {
      if (inFlight || !pool) return;
      inFlight = true;
      try {
        const ms = await roundTrip(pool);
        markUp(ms);
        if (ms > settings.slowRoundTripMs) log.warn({ round_trip_ms: Math.round(ms) }, 'database answers slowly');
      } catch (error) {
        const explained = explainConnectionError(error, url);
        Object.assign(status, { ok: false, lastError: explained.message, checkedAt: new Date().toISOString() });
        sendBack({ type: 'database.lost', error: explained });
      } finally {
        inFlight = false;
      }
    };
    const timer = setInterval(() => void check(), settings.pingIntervalMs);
    // A lost idle connection is a hint: ask the server now rather than at the next ping.
    checkNow = () => void check();
    return () => {
      clearInterval(timer);
      checkNow = undefined;
    };
  });

  const disconnect = fromPromise<void>(async () => {
    status.ok = false;
    if (pool) {
      await pool
        .query('UPDATE daemon_instances SET stopped_at = now() WHERE id = $1', [instance.id])
        .catch(() => undefined);
      await guarded?.end(2_000).catch(() => undefined);
      pool = undefined;
    }
    if (embedded) {
      await embedded.stop();
      if (embedded.mode !== 'attached') log.info('embedded PostgreSQL stopped');
      embedded = undefined;
      url = settings.url;
    }
  });

  const handle: DatabaseHandle = {
    pool() {
      if (!pool || !status.ok) {
        throw new LoaderError(
          'DB_UNAVAILABLE',
          `The database (${status.target}) is not available: ${status.lastError ?? 'not connected yet'}`,
        );
      }
      return pool;
    },
    status: () => ({ ...status }),
    connectionUrl: () => {
      if (!url) throw new LoaderError('DB_UNAVAILABLE', `The database (${status.target}) has not been started yet.`);
      return url;
    },
  };

  return {
    handle,
    actors: { connect, watch, disconnect },
    actions: {
      announceConnected: () =>
        log.info({ target: status.target, round_trip_ms: status.roundTripMs }, 'database connected'),
      announceFailure: ({ context }: { context: { failures: number; retryInMs: number; lastError: string | null } }) =>
        log.error(
          { target: status.target, failures: context.failures, retry_in_ms: context.retryInMs, code: 'DB_UNAVAILABLE' },
          `${context.lastError ?? 'database unavailable'} — retrying in ${Math.round(context.retryInMs / 1000)} s`,
        ),
    },
  };
}
