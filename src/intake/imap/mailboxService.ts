import type { ImapFlow } from 'imapflow';
import type pg from 'pg';
import { fromCallback, fromPromise, type AnyActorRef } from 'xstate';
import type { MailboxContext, PassResult } from '../../../machines/mailbox.ts';
import type { ImapSettings, MailRule } from '../../config/imapSchema.ts';
import { LoaderError, errorCode, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import { stateLabel } from '../../runtime/inspectionBus.ts';
import type { Ingest } from '../ingest.ts';
import { describeServer, openMailbox } from './connection.ts';
import { formatAddresses, parseMail, type ParsedMail } from './parseMail.ts';
import {
  findByMessageId,
  findProcessed,
  markAcknowledged,
  recordProcessed,
  type MailOutcome,
  type MailPlace,
  type ProcessedMail,
} from './processedMail.ts';
import { chooseRule, documentName, emlName, ruleTakesAttachment, senderAllowed } from './rules.ts';

/**
 * The `mailbox` actor's I/O for machines/mailbox.ts: one IMAP connection, and passes over the
 * mail in the configured folder. For each new mail, in UID order:
 *
 * 1. Already in processed_mail? Then its documents were stored: only its post-action is
 *    retried (it failed, or the daemon died before it ran). Nothing is stored twice.
 * 2. The same Message-ID already stored (the mail delivered twice)? Recorded as `duplicate`.
 * 3. A sender outside intake.imap.allowedSenders: recorded as `rejected`, moved to the
 *    rejected folder, and the operator is told.
 * 4. Otherwise the first matching rule decides what is stored. Every document is committed as
 *    `received` (with sender, recipients, subject, Message-ID and date); only then is the mail
 *    recorded and its post-action run. A mail without a usable document is `unrecognized`:
 *    moved to that folder, and the operator is told.
 *
 * A mail that cannot be stored (the database is down) is left as it is on the server, and
 * the pass reports it as deferred; the machine runs another pass with backoff.
 */
export interface MailboxStatus {
  state: string;
  connected: boolean;
  idle: boolean;
  failures: number;
  retry_in_ms: number | null;
  last_error: string | null;
  deferred: number;
  deferred_reason: string | null;
  passes: number;
}

export interface MailboxDeps {
  settings: ImapSettings;
  ingest: Ingest;
  pool: () => pg.Pool;
  logger: Logger;
  now?: () => Date;
}

interface MailDocument {
  filename: string;
  bytes: Buffer;
  intakeRef: string;
}

export function createMailbox(deps: MailboxDeps) {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ actor: 'mailbox' });
  const server = describeServer(settings);
  const maxBytes = Math.round(settings.maxAttachmentMb * 1024 * 1024);
  const keepRaw = settings.rules.some((rule) => rule.consume !== 'attachments');
  let client: ImapFlow | undefined;
  let lastSocketError: unknown;
  let stopping = false;
  /** The connect or pass in flight, so a graceful stop can wait for it. */
  let busy: Promise<unknown> = Promise.resolve();
  const existingFolders = new Set<string>();

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

  /** The search that finds mail not yet acknowledged: moved mail is gone, marked mail carries its mark. */
  function candidates() {
    switch (settings.postAction) {
      case 'seen':
        return { seen: false };
      case 'flag':
        return { flagged: false };
      case 'keyword':
        return { unKeyword: settings.keyword };
      default:
        return { all: true };
    }
  }

  function postActionFor(outcome: MailOutcome, rule: MailRule | undefined): string {
    if (outcome === 'rejected') return `move:${settings.folders.rejected}`;
    if (outcome === 'unrecognized') return `move:${settings.folders.unrecognized}`;
    const action = rule?.postAction ?? settings.postAction;
    if (action === 'move') return `move:${settings.folders.processed}`;
    if (action === 'keyword') return `keyword:${settings.keyword}`;
    return action;
  }

  async function ensureFolder(current: ImapFlow, folder: string) {
    if (existingFolders.has(folder)) return;
    await current.mailboxCreate(folder); // answers created: false when it exists already
    existingFolders.add(folder);
  }

  /** Runs the post-action decided when the mail was recorded, then notes it as acknowledged. */
  async function acknowledge(current: ImapFlow, place: MailPlace, postAction: string): Promise<void> {
    const range = String(place.uid);
    let done: boolean;
    if (postAction.startsWith('move:')) {
      const folder = postAction.slice('move:'.length);
      await ensureFolder(current, folder);
      done = (await current.messageMove(range, folder, { uid: true })) !== false;
    } else {
      const flag =
        postAction === 'seen' ? '\\Seen' : postAction === 'flag' ? '\\Flagged' : postAction.slice('keyword:'.length);
      done = await current.messageFlagsAdd(range, [flag], { uid: true });
    }
    if (!done) {
      throw new LoaderError(
        'MAIL_POST_ACTION_FAILED',
        `The server did not ${postAction.replace(':', ' to ')} mail ${place.uid}.`,
      );
    }
    // Only bookkeeping: a mail already moved is not seen again, and a marked one is skipped by its mark.
    await markAcknowledged(deps.pool(), place).catch((error: unknown) =>
      log.debug({ uid: place.uid, err: errorMessage(error) }, 'could not note the acknowledgement'),
    );
  }

  async function acknowledgeOrWarn(current: ImapFlow, place: MailPlace, postAction: string, mail: string) {
    try {
      await acknowledge(current, place, postAction);
    } catch (error) {
      if (!current.usable) throw error;
      // The mail is recorded, so it will not be stored again; the next pass tries the post-action again.
      log.warn(
        { uid: place.uid, post_action: postAction, err: errorMessage(error), code: 'MAIL_POST_ACTION_FAILED' },
        `${mail} is stored, but ${postAction} failed (${errorMessage(error)}); the next pass tries again`,
      );
    }
  }

  function documentsOf(mail: ParsedMail, rule: MailRule, base: string) {
    const documents: MailDocument[] = [];
    const tooLarge: string[] = [];
    const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
    if (rule.consume !== 'eml') {
      for (const attachment of mail.attachments) {
        const name = documentName(attachment.filename, attachment.contentType, attachment.index);
        if (!name || !ruleTakesAttachment(rule, name)) continue;
        if (!attachment.bytes) tooLarge.push(`${name} (${megabytes(attachment.size)})`);
        else if (attachment.bytes.length > 0)
          documents.push({ filename: name, bytes: attachment.bytes, intakeRef: `${base}#${attachment.index}` });
      }
    }
    if (rule.consume !== 'attachments') {
      const name = emlName(mail.subject);
      if (mail.raw) documents.push({ filename: name, bytes: mail.raw, intakeRef: `${base}#eml` });
      else tooLarge.push(`${name} (${megabytes(mail.rawSize)})`);
    }
    return { documents, tooLarge };
  }

  async function handleMail(current: ImapFlow, place: MailPlace, known: ProcessedMail | undefined): Promise<boolean> {
    if (known) {
      if (known.acknowledged) return false;
      await acknowledgeOrWarn(current, place, known.postAction, `mail ${place.uid}`);
      return true;
    }
    const range = String(place.uid);
    const head = await current.fetchOne(range, { envelope: true }, { uid: true });
    if (!head) return false; // expunged meanwhile
    const envelopeFrom = (head.envelope?.from ?? []).map((a) => ({
      name: a.name ?? '',
      address: (a.address ?? '').toLowerCase(),
    }));
    const messageId = head.envelope?.messageId?.trim() || null;
    const about = { uid: place.uid, message_id: messageId, from: formatAddresses(envelopeFrom) };
    const describe = `the mail "${head.envelope?.subject ?? ''}" from ${about.from || 'an unknown sender'}`;
    const record = async (
      outcome: MailOutcome,
      rule: MailRule | undefined,
      invoiceIds: string[],
      detail: string | null,
    ) => {
      const postAction = postActionFor(outcome, rule);
      await recordProcessed(deps.pool(), {
        ...place,
        messageId,
        outcome,
        rule: rule?.name ?? null,
        invoiceIds,
        sender: about.from || null,
        subject: head.envelope?.subject ?? null,
        detail,
        postAction,
      });
      await acknowledgeOrWarn(current, place, postAction, describe);
    };

    if (messageId) {
      const earlier = await findByMessageId(deps.pool(), messageId);
      if (earlier) {
        log.info(
          { ...about, invoices: earlier.invoiceIds, code: 'MAIL_DUPLICATE' },
          `${describe} was already stored (same Message-ID); nothing is stored again`,
        );
        await record(
          'duplicate',
          undefined,
          earlier.invoiceIds,
          `the same Message-ID as mail ${earlier.uid} in ${earlier.mailbox}`,
        );
        return true;
      }
    }
    if (!senderAllowed(settings.allowedSenders, envelopeFrom)) {
      // Told before the record, so the operator hears of it even if recording has to wait.
      log.warn(
        { ...about, folder: settings.folders.rejected, code: 'MAIL_SENDER_REJECTED' },
        `${describe} was not read: the sender is not in intake.imap.allowedSenders; moved to ${settings.folders.rejected}`,
      );
      await record('rejected', undefined, [], 'the sender is not in intake.imap.allowedSenders');
      return true;
    }

    const download = await current.download(range, undefined, { uid: true });
    if (!download.content) return false;
    const mail = await parseMail(download.content, { maxBytes, keepRaw });
    const rule = chooseRule(settings.rules, mail, now());
    const base = messageId ? `email:${messageId}` : `imap:${place.mailbox}:${place.uidValidity}:${place.uid}`;
    const { documents, tooLarge } = documentsOf(mail, rule, base);
    if (tooLarge.length > 0) {
      log.warn(
        { ...about, attachments: tooLarge, code: 'MAIL_ATTACHMENT_TOO_LARGE' },
        `${describe}: ${tooLarge.join(', ')} not stored: larger than intake.imap.maxAttachmentMb (${settings.maxAttachmentMb} MB)`,
      );
    }
    if (documents.length === 0) {
      const reason =
        tooLarge.length > 0
          ? `its documents are larger than intake.imap.maxAttachmentMb: ${tooLarge.join(', ')}`
          : mail.attachments.length === 0
            ? 'it has no attachment'
            : `none of its attachments (${mail.attachments.map((a) => a.filename ?? a.contentType).join(', ')}) is a PDF, XML or ISDOC document that rule "${rule.name}" takes`;
      log.warn(
        { ...about, rule: rule.name, folder: settings.folders.unrecognized, code: 'MAIL_UNRECOGNIZED' },
        `${describe} has no usable invoice document: ${reason}; moved to ${settings.folders.unrecognized}`,
      );
      await record('unrecognized', rule, [], reason);
      return true;
    }

    const metadata = {
      channel: 'email' as const,
      sender: formatAddresses(mail.from) || about.from || null,
      mailTo: formatAddresses(mail.to) || null,
      subject: mail.subject || null,
      messageId: messageId ?? mail.messageId,
      sentAt: mail.date?.toISOString() ?? null,
    };
    const invoiceIds: string[] = [];
    for (const document of documents) {
      // Each commit is the document and its `received` row; a re-read after a crash is a replay.
      const result = await deps.ingest({ ...metadata, ...document });
      invoiceIds.push(result.invoiceId);
    }
    log.info(
      { ...about, rule: rule.name, invoices: invoiceIds, documents: documents.map((d) => d.filename) },
      `${describe}: ${documents.length} document(s) stored`,
    );
    await record(
      'received',
      rule,
      invoiceIds,
      tooLarge.length > 0 ? `not stored (too large): ${tooLarge.join(', ')}` : null,
    );
    return true;
  }

  async function pass(): Promise<PassResult> {
    const current = client;
    if (!current?.usable) throw new LoaderError('IMAP_UNAVAILABLE', `The connection to ${server} is closed.`);
    const lock = await current.getMailboxLock(settings.mailbox);
    try {
      const uidValidity = current.mailbox ? current.mailbox.uidValidity : 0n;
      const found = await current.search(candidates(), { uid: true });
      const uids = (found || []).sort((a, b) => a - b);
      if (uids.length === 0) return { handled: 0, deferred: 0, deferredReason: null };
      let known: Map<number, ProcessedMail>;
      try {
        known = await findProcessed(deps.pool(), settings.mailbox, uidValidity, uids);
      } catch (error) {
        return deferAll(uids.length, error);
      }
      let handled = 0;
      let deferred = 0;
      let deferredReason: string | null = null;
      for (const uid of uids) {
        if (stopping) break;
        const place = { mailbox: settings.mailbox, uidValidity, uid };
        try {
          if (await handleMail(current, place, known.get(uid))) handled++;
        } catch (error) {
          if (!current.usable) throw error;
          // Not acknowledged: it stays on the server as it was, and a later pass reads it again.
          deferred++;
          deferredReason = errorMessage(error);
          log.warn(
            { uid, err: deferredReason, code: 'MAIL_DEFERRED', err_code: errorCode(error) },
            `mail ${uid} stays on the server, unacknowledged, for now: ${deferredReason}`,
          );
        }
      }
      return { handled, deferred, deferredReason };
    } finally {
      lock.release();
    }
  }

  function deferAll(count: number, error: unknown): PassResult {
    const reason = errorMessage(error);
    log.warn(
      { mails: count, err: reason, code: 'MAIL_DEFERRED', err_code: errorCode(error) },
      `${count} mail(s) stay on the server, unacknowledged, for now: ${reason}`,
    );
    return { handled: 0, deferred: count, deferredReason: reason };
  }

  return {
    actors: {
      connect: fromPromise<{ idle: boolean }>(() =>
        track(
          (async () => {
            stopping = false;
            closeClient(); // a connection left by a crashed incarnation, or a half-broken one
            existingFolders.clear();
            lastSocketError = undefined;
            const opened = await openMailbox(settings, (error) => {
              lastSocketError = error;
              log.debug({ err: errorMessage(error) }, 'IMAP connection error');
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
      sync: fromPromise<PassResult>(() => track(pass())),
      disconnect: fromPromise<void>(async () => closeClient()),
      /** Lets the mail being handled finish (its commit and its post-action), then logs out. */
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

/** The mailbox actor's state for the heartbeat and health, from its snapshot. */
export function mailboxStatus(ref: AnyActorRef | undefined): MailboxStatus | null {
  const snapshot = ref?.getSnapshot() as { status?: string; value?: unknown; context?: MailboxContext } | undefined;
  if (!snapshot?.context || snapshot.status !== 'active') return null;
  const context = snapshot.context;
  const state = stateLabel(snapshot.value);
  return {
    state,
    connected: state.startsWith('connected'),
    idle: context.idle,
    failures: context.failures,
    retry_in_ms: state === 'backoff' ? context.retryInMs : null,
    last_error: context.lastError,
    deferred: context.deferred,
    deferred_reason: context.deferredReason,
    passes: context.passes,
  };
}
