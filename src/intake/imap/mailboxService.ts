import type { ImapFlow } from 'imapflow';
import type pg from 'pg';
import { fromCallback, fromPromise } from 'xstate';
import type { MailboxContext, PassResult } from '../../../machines/mailbox.ts';
import type { ImapSettings } from '../../config/imapSchema.ts';
import { LoaderError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Ingest } from '../ingest.ts';
import { describeServer, openMailbox } from './connection.ts';
import { createMailboxPass } from './mailboxPass.ts';

export { mailboxStatus, type MailboxStatus } from './mailboxStatus.ts';

export interface MailboxDeps {
  settings: ImapSettings;
  ingest: Ingest;
  pool: () => pg.Pool;
  logger: Logger;
  now?: () => Date;
}

/**
 * The `mailbox` actor's I/O for machines/mailbox.ts: one IMAP connection (connect, watch for
 * news and loss, log out on a graceful stop), and passes over the mail (mailboxPass.ts: what
 * becomes of each mail, and in what order things are committed and acknowledged).
 */
export function createMailbox(deps: MailboxDeps) {
  const { settings } = deps;
  const log = deps.logger.child({ actor: 'mailbox' });
  const server = describeServer(settings);
  let client: ImapFlow | undefined;
  let lastSocketError: unknown;
  let stopping = false;
  /** The connect or pass in flight, so a graceful stop can wait for it. */
  let busy: Promise<unknown> = Promise.resolve();
  const pass = createMailboxPass({
    settings,
    ingest: deps.ingest,
    pool: deps.pool,
    log,
    now: deps.now ?? (() => new Date()),
    server,
    stopping: () => stopping,
  });

  function closeClient() {
    const current = client;
    client = undefined;
    if (current) {
      current.removeAllListeners('exists');
      current.close();
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    busy = work.catch(() => undefined);
    return work;
  }

  return {
    actors: {
      connect: fromPromise<{ idle: boolean }>(() =>
        track(
          (async () => {
            stopping = false;
            closeClient(); // a connection left by a crashed incarnation, or a half-broken one
            pass.forgetFolders();
            lastSocketError = undefined;
            const opened = await openMailbox(settings, (error) => {
              lastSocketError = error;
              log.debug({ err: error }, 'IMAP connection error');
            });
            client = opened;
            return { idle: settings.idle && opened.capabilities.has('IDLE') };
          })(),
        ),
      ),
      watch: fromCallback(({ sendBack }) => {
        const current = client;
        const lost = () =>
          sendBack({
            type: 'mailbox.lost',
            error: new LoaderError(
              'IMAP_UNAVAILABLE',
              `The connection to ${server} was lost${lastSocketError ? ` (${errorMessage(lastSocketError)})` : ''}.`,
            ),
          });
        if (!current?.usable) {
          lost();
          return () => {};
        }
        const onExists = (news: { count: number; prevCount: number }) => {
          if (news.count > news.prevCount) sendBack({ type: 'mailbox.changed' });
        };
        current.on('exists', onExists);
        current.on('close', lost);
        return () => {
          current.off('exists', onExists);
          current.off('close', lost);
        };
      }),
      sync: fromPromise<PassResult>(async () => ({
        ...(await track(pass.run(client))),
        finishedAt: new Date().toISOString(),
      })),
      disconnect: fromPromise<void>(async () => closeClient()),
      /** Lets the mails being handled finish (their commits and post-actions), then logs out. */
      stop: fromPromise<void>(async () => {
        stopping = true;
        await busy;
        const current = client;
        client = undefined;
        if (current?.usable) await current.logout().catch(() => current.close());
        else current?.close();
      }),
    },
    actions: {
      announceConnected: ({ context }: { context: MailboxContext }) =>
        log.info({ server, idle: context.idle }, `mailbox connected (${context.idle ? 'IMAP IDLE' : 'polling'})`),
      announceFailure: ({ context }: { context: MailboxContext }) =>
        log.error(
          { server, failures: context.failures, retry_in_ms: context.retryInMs, code: 'IMAP_UNAVAILABLE' },
          `${context.lastError ?? 'The mailbox is unavailable.'} — retrying in ${Math.ceil(context.retryInMs / 1000)} s`,
        ),
      announcePass: ({ context }: { context: MailboxContext }) => {
        if (context.deferred > 0)
          log.info({ deferred: context.deferred }, `${context.deferred} mail(s) wait; trying again with backoff`);
      },
    },
  };
}
