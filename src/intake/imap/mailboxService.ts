import type { FetchMessageObject, ImapFlow, MessageEnvelopeObject, SearchObject } from 'imapflow';
import type pg from 'pg';
import { fromCallback, fromPromise, type AnyActorRef } from 'xstate';
import type { MailboxContext, PassResult } from '../../../machines/mailbox.ts';
import type { ImapSettings, MailRule, PostAction } from '../../config/imapSchema.ts';
import type { ReceiveResult } from '../../db/invoiceStore.ts';
import { LoaderError, errorCode, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import { stateLabel } from '../../runtime/inspectionBus.ts';
import type { Ingest } from '../ingest.ts';
import { describeServer, openMailbox } from './connection.ts';
import { isUnavailable } from './failures.ts';
import { formatAddresses, parseMail, withoutNul, type AttachmentPart, type ParsedMail } from './parseMail.ts';
import {
  findProcessed,
  findRecordHolding,
  markAcknowledged,
  recordFailedAttempt,
  recordProcessed,
  sameMail,
  type MailIdentity,
  type MailOutcome,
  type MailPlace,
  type ProcessedMail,
} from './processedMail.ts';
import {
  chooseRule,
  documentName,
  emlName,
  ruleFromHeaders,
  ruleTakesAttachment,
  senderAllowed,
  type MailAddress,
  type MailHeaderFacts,
} from './rules.ts';

/**
 * The `mailbox` actor's I/O for machines/mailbox.ts: one IMAP connection, and passes over the
 * mail in the configured folder. For each mail not yet acknowledged, in UID order:
 *
 * 1. Recorded in processed_mail (same account, folder, UIDVALIDITY and UID, and the same
 *    Message-ID, sender, subject and date)? Then its documents were stored: only its
 *    post-action is retried (it failed, or the daemon died before it ran). A record that
 *    describes another mail (a reused UID) is not trusted: the mail is read as new.
 * 2. A sender outside intake.imap.allowedSenders: recorded as `rejected`, moved to the
 *    rejected folder, and the operator is told. Nothing of the mail is downloaded.
 * 3. Larger than intake.imap.maxMailMb: `unrecognized`, not downloaded.
 * 4. Otherwise the mail is downloaded and the first matching rule decides what is stored.
 *    Every document is committed as `received` (with sender, recipients, subject, Message-ID
 *    and date); only then is the mail recorded and its post-action run. The store decides
 *    what is new by content: the same bytes under the same intake reference are a replay (a
 *    mail delivered twice is recorded as `duplicate`, nothing added), the same bytes under
 *    another a duplicate invoice linked to the first, other bytes a new invoice — even when
 *    a sender reuses a fixed Message-ID. A mail without a usable document is `unrecognized`:
 *    moved to that folder, and the operator is told.
 *
 * A mail that cannot be stored because the database or the connection is away is left as it
 * is on the server, and the pass reports it as deferred; the machine runs another pass with
 * backoff. Any other failure is counted in mail_attempts; after intake.imap.maxMailAttempts
 * the mail is given up (`failed`, moved to the unrecognized folder, MAIL_UNPROCESSABLE).
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
  /** When the last pass over the mailbox finished: the channel's last success. */
  last_pass_at: string | null;
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

/** What is known of the mail in hand, for the log lines and records of whatever happens to it. */
interface MailInHand {
  identity: MailIdentity;
  describe: string;
  about: Record<string, unknown>;
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function envelopeFrom(envelope: MessageEnvelopeObject | undefined): MailAddress[] {
  return (envelope?.from ?? []).map((a) => ({
    name: withoutNul(a.name ?? ''),
    address: withoutNul((a.address ?? '').toLowerCase()),
  }));
}

/** The identity of a mail as its envelope gives it: compared with, and stored in, its record. */
function identityOf(envelope: MessageEnvelopeObject | undefined): MailIdentity {
  const date = envelope?.date instanceof Date && !Number.isNaN(envelope.date.getTime()) ? envelope.date : null;
  return {
    messageId: withoutNul(envelope?.messageId?.trim() ?? '') || null,
    sender: formatAddresses(envelopeFrom(envelope)) || null,
    subject: envelope?.subject === undefined ? null : withoutNul(envelope.subject),
    date,
  };
}

function inHand(uid: number, identity: MailIdentity): MailInHand {
  return {
    identity,
    describe: `the mail "${identity.subject ?? ''}" from ${identity.sender ?? 'an unknown sender'}`,
    about: { uid, message_id: identity.messageId, from: identity.sender ?? '', subject: identity.subject },
  };
}

export function createMailbox(deps: MailboxDeps) {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ actor: 'mailbox' });
  const server = describeServer(settings);
  /** Part of every mail's place: another account or server has its own UIDs. */
  const account = `${settings.user}@${settings.host.toLowerCase()}`;
  const maxBytes = Math.round(settings.maxAttachmentMb * MB);
  const maxMailBytes = Math.round(settings.maxMailMb * MB);
  const keepRaw = settings.rules.some((rule) => rule.consume !== 'attachments');
  /** Every post-action a taken mail may get: the global one and each rule's own. */
  const postActionsInUse = new Set<PostAction>([
    settings.postAction,
    ...settings.rules.flatMap((rule) => (rule.postAction ? [rule.postAction] : [])),
  ]);
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

  /**
   * The search that lists every mail that may not be acknowledged yet: a moved mail is gone, a
   * marked one carries its mark. With several post-actions in use (a rule's own), a mail lacking
   * any one of their marks may be new (with `move` among them, any mail may); those the mark of
   * another post-action acknowledged are then left out by their processed_mail record.
   */
  function candidates(): SearchObject {
    if (postActionsInUse.has('move')) return { all: true };
    const unmarked = [...postActionsInUse].map((action): SearchObject =>
      action === 'seen' ? { seen: false } : action === 'flag' ? { flagged: false } : { unKeyword: settings.keyword },
    );
    return unmarked.length === 1 ? unmarked[0]! : { or: unmarked };
  }

  function postActionFor(outcome: MailOutcome, rule: MailRule | undefined): string {
    if (outcome === 'rejected') return `move:${settings.folders.rejected}`;
    if (outcome === 'unrecognized' || outcome === 'failed') return `move:${settings.folders.unrecognized}`;
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
      // The folder may have been deleted meanwhile: the next try creates it again.
      if (!done) existingFolders.delete(folder);
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

  async function acknowledgeOrWarn(current: ImapFlow, place: MailPlace, postAction: string, mail: MailInHand) {
    try {
      await acknowledge(current, place, postAction);
    } catch (error) {
      if (!current.usable) throw error;
      // The mail is recorded, so it will not be stored again; the next pass tries the post-action again.
      log.warn(
        { ...mail.about, post_action: postAction, err: errorMessage(error), code: 'MAIL_POST_ACTION_FAILED' },
        `${mail.describe} is recorded, but ${postAction} failed (${errorMessage(error)}); the next pass tries again`,
      );
    }
  }

  /** Records what became of the mail, then runs its post-action. */
  async function conclude(
    current: ImapFlow,
    place: MailPlace,
    mail: MailInHand,
    outcome: MailOutcome,
    rule: MailRule | undefined,
    invoiceIds: string[],
    detail: string | null,
  ) {
    const postAction = postActionFor(outcome, rule);
    await recordProcessed(deps.pool(), {
      ...place,
      ...mail.identity,
      outcome,
      rule: rule?.name ?? null,
      invoiceIds,
      detail: detail === null ? null : withoutNul(detail),
      postAction,
    });
    await acknowledgeOrWarn(current, place, postAction, mail);
  }

  /** Whether an attachment may become a document; those that may not are drained, never kept. */
  function candidateFilter(at: Date) {
    return (part: AttachmentPart, headers: MailHeaderFacts) => {
      const name = documentName(part.filename, part.contentType, part.index);
      if (!name) return false;
      const rule = ruleFromHeaders(settings.rules, headers, at);
      if (!rule) return true; // a rule filtering on the body may decide: known only at the end
      return rule.consume !== 'eml' && ruleTakesAttachment(rule, name);
    };
  }

  function documentsOf(mail: ParsedMail, rule: MailRule, base: string) {
    const documents: MailDocument[] = [];
    const tooLarge: string[] = [];
    if (rule.consume !== 'eml') {
      for (const attachment of mail.attachments) {
        const name = documentName(attachment.filename, attachment.contentType, attachment.index);
        if (!name || !attachment.candidate || !ruleTakesAttachment(rule, name)) continue;
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

  async function refuseTooLarge(current: ImapFlow, place: MailPlace, mail: MailInHand, size: number) {
    const reason = `it is larger (${megabytes(size)}) than intake.imap.maxMailMb (${settings.maxMailMb} MB)`;
    log.warn(
      { ...mail.about, bytes: size, folder: settings.folders.unrecognized, code: 'MAIL_TOO_LARGE' },
      `${mail.describe} was not read: ${reason}; moved to ${settings.folders.unrecognized}`,
    );
    await conclude(current, place, mail, 'unrecognized', undefined, [], reason);
  }

  /** Handles one mail not yet recorded; `hand` is filled in as soon as its envelope is known. */
  async function handleMail(current: ImapFlow, place: MailPlace, hand: { mail?: MailInHand }): Promise<boolean> {
    const range = String(place.uid);
    const head = await current.fetchOne(range, { envelope: true, size: true }, { uid: true });
    if (!head) return false; // expunged meanwhile
    const mail = inHand(place.uid, identityOf(head.envelope));
    hand.mail = mail;

    if (!senderAllowed(settings.allowedSenders, envelopeFrom(head.envelope))) {
      // Told before the record, so the operator hears of it even if recording has to wait.
      log.warn(
        { ...mail.about, folder: settings.folders.rejected, code: 'MAIL_SENDER_REJECTED' },
        `${mail.describe} was not read: the sender is not in intake.imap.allowedSenders; moved to ${settings.folders.rejected}`,
      );
      await conclude(
        current,
        place,
        mail,
        'rejected',
        undefined,
        [],
        'the sender is not in intake.imap.allowedSenders',
      );
      return true;
    }
    if (head.size !== undefined && head.size > maxMailBytes) {
      await refuseTooLarge(current, place, mail, head.size);
      return true;
    }

    const at = now();
    const download = await current.download(range, undefined, { uid: true });
    if (!download.content) return false;
    const parsed = await parseMail(download.content, {
      maxBytes,
      maxMailBytes,
      keepRaw,
      keep: candidateFilter(at),
    });
    if (parsed.oversize) {
      await refuseTooLarge(current, place, mail, parsed.rawSize);
      return true;
    }
    const rule = chooseRule(settings.rules, parsed, at);
    const base = mail.identity.messageId
      ? `email:${mail.identity.messageId}`
      : `imap:${account}/${place.mailbox}:${place.uidValidity}:${place.uid}`;
    const { documents, tooLarge } = documentsOf(parsed, rule, base);
    if (tooLarge.length > 0) {
      log.warn(
        { ...mail.about, attachments: tooLarge, code: 'MAIL_ATTACHMENT_TOO_LARGE' },
        `${mail.describe}: ${tooLarge.join(', ')} not stored: larger than intake.imap.maxAttachmentMb (${settings.maxAttachmentMb} MB)`,
      );
    }
    if (documents.length === 0) {
      const reason =
        tooLarge.length > 0
          ? `its documents are larger than intake.imap.maxAttachmentMb: ${tooLarge.join(', ')}`
          : parsed.attachments.length === 0
            ? 'it has no attachment'
            : `none of its attachments (${parsed.attachments.map((a) => a.filename ?? a.contentType).join(', ')}) is a PDF, XML or ISDOC document that rule "${rule.name}" takes`;
      log.warn(
        { ...mail.about, rule: rule.name, folder: settings.folders.unrecognized, code: 'MAIL_UNRECOGNIZED' },
        `${mail.describe} has no usable invoice document: ${reason}; moved to ${settings.folders.unrecognized}`,
      );
      await conclude(current, place, mail, 'unrecognized', rule, [], reason);
      return true;
    }

    const metadata = {
      channel: 'email' as const,
      sender: formatAddresses(parsed.from) || mail.identity.sender,
      mailTo: formatAddresses(parsed.to) || null,
      subject: parsed.subject || null,
      messageId: mail.identity.messageId ?? parsed.messageId,
      sentAt: parsed.date?.toISOString() ?? null,
    };
    const results: ReceiveResult[] = [];
    for (const document of documents) {
      // Each commit is the document and its `received` row; a re-read after a crash is a replay.
      results.push(await deps.ingest({ ...metadata, ...document }));
    }
    const invoiceIds = results.map((result) => result.invoiceId);
    const held = { peak_held_bytes: parsed.peakHeldBytes, mail_bytes: parsed.rawSize };
    // Every document a replay: this mail was stored before — by this very mail (a crash before
    // its record), or by another copy of it, which a record holding the same invoices tells.
    const earlier = results.every((result) => result.replay)
      ? await findRecordHolding(deps.pool(), invoiceIds, place)
      : undefined;
    if (earlier) {
      log.info(
        { ...mail.about, ...held, invoices: invoiceIds, code: 'MAIL_DUPLICATE' },
        `${mail.describe} was already stored (the same documents as mail ${earlier.uid} in ${earlier.mailbox}); nothing is stored again`,
      );
      await conclude(
        current,
        place,
        mail,
        'duplicate',
        rule,
        invoiceIds,
        `the same documents as mail ${earlier.uid} in ${earlier.mailbox}`,
      );
      return true;
    }
    log.info(
      { ...mail.about, ...held, rule: rule.name, invoices: invoiceIds, documents: documents.map((d) => d.filename) },
      `${mail.describe}: ${documents.length} document(s) stored`,
    );
    await conclude(
      current,
      place,
      mail,
      'received',
      rule,
      invoiceIds,
      tooLarge.length > 0 ? `not stored (too large): ${tooLarge.join(', ')}` : null,
    );
    return true;
  }

  /**
   * A mail whose handling failed while the connection stayed up. Database or connection away:
   * deferred, not counted. Anything else: counted; at maxMailAttempts the mail is given up.
   * Answers whether the mail is done with (given up) rather than deferred.
   */
  async function handleFailure(current: ImapFlow, place: MailPlace, hand: { mail?: MailInHand }, error: unknown) {
    const reason = withoutNul(errorMessage(error));
    const code = errorCode(error);
    const mail = hand.mail ?? inHand(place.uid, { messageId: null, sender: null, subject: null, date: null });
    const defer = (why: string, extra: Record<string, unknown> = {}) => {
      log.warn(
        { ...mail.about, err: reason, err_code: code, ...extra, code: 'MAIL_DEFERRED' },
        `${mail.describe} stays on the server, unacknowledged, for now: ${why}`,
      );
      return { done: false, reason };
    };
    if (isUnavailable(error)) return defer(reason);
    let attempts: number;
    try {
      attempts = await recordFailedAttempt(deps.pool(), place, mail.identity, { message: reason, code });
    } catch {
      return defer(reason); // the database is away too: the attempt cannot be counted, nor the mail given up
    }
    if (attempts < settings.maxMailAttempts) {
      return defer(
        `${reason} (failed attempt ${attempts} of intake.imap.maxMailAttempts ${settings.maxMailAttempts})`,
        {
          attempts,
        },
      );
    }
    log.warn(
      {
        ...mail.about,
        err: reason,
        err_code: code,
        attempts,
        folder: settings.folders.unrecognized,
        code: 'MAIL_UNPROCESSABLE',
      },
      `${mail.describe} (Message-ID ${mail.identity.messageId ?? 'none'}) could not be read in ${attempts} attempts and is given up: ${reason}; moved to ${settings.folders.unrecognized}`,
    );
    try {
      await conclude(
        current,
        place,
        mail,
        'failed',
        undefined,
        [],
        `given up after ${attempts} failed attempts: ${reason}`,
      );
      return { done: true, reason };
    } catch (recordError) {
      if (!current.usable) throw recordError;
      return defer(errorMessage(recordError));
    }
  }

  /** The envelopes of these mails, in one FETCH. */
  async function envelopes(current: ImapFlow, uids: number[]): Promise<Map<number, FetchMessageObject>> {
    const found = new Map<number, FetchMessageObject>();
    if (uids.length === 0) return found;
    for await (const message of current.fetch(uids, { uid: true, envelope: true }, { uid: true })) {
      found.set(message.uid, message);
    }
    return found;
  }

  /**
   * The mails of this pass, each with its record when one describes it: a record of another
   * mail at the same place is not trusted, and a mail whose record says acknowledged (by
   * whatever post-action applied to it) is left out.
   */
  async function toHandle(
    current: ImapFlow,
    uids: number[],
    known: Map<number, ProcessedMail>,
  ): Promise<Array<{ uid: number; record: ProcessedMail | undefined }>> {
    const heads = await envelopes(current, [...known.keys()]);
    const list: Array<{ uid: number; record: ProcessedMail | undefined }> = [];
    for (const uid of uids) {
      const record = known.get(uid);
      if (!record) {
        list.push({ uid, record });
        continue;
      }
      const head = heads.get(uid);
      if (!head) continue; // expunged meanwhile
      const identity = identityOf(head.envelope);
      if (sameMail(record, identity)) {
        if (!record.acknowledged) list.push({ uid, record });
        continue;
      }
      const mail = inHand(uid, identity);
      log.warn(
        { ...mail.about, recorded_message_id: record.messageId, code: 'MAIL_RECORD_MISMATCH' },
        `${mail.describe} is at a place (UID ${uid}) recorded for another mail (Message-ID ${record.messageId ?? 'none'}, "${record.subject ?? ''}"): the mailbox was restored or replaced; it is read as a new mail`,
      );
      list.push({ uid, record: undefined });
    }
    return list;
  }

  async function pass(): Promise<PassResult> {
    const current = client;
    if (!current?.usable) throw new LoaderError('IMAP_UNAVAILABLE', `The connection to ${server} is closed.`);
    const lock = await current.getMailboxLock(settings.mailbox);
    try {
      const uidValidity = current.mailbox ? current.mailbox.uidValidity : 0n;
      const folder = { account, mailbox: settings.mailbox, uidValidity };
      const found = await current.search(candidates(), { uid: true });
      const uids = (found || []).sort((a, b) => a - b);
      if (uids.length === 0) return { handled: 0, deferred: 0, deferredReason: null };
      let known: Map<number, ProcessedMail>;
      try {
        known = await findProcessed(deps.pool(), folder, uids);
      } catch (error) {
        return deferAll(uids.length, error);
      }
      const mails = await toHandle(current, uids, known);
      log.debug({ listed: uids.length, mails: mails.length }, `pass over ${mails.length} mail(s)`);
      let handled = 0;
      let deferred = 0;
      let deferredReason: string | null = null;
      for (const { uid, record } of mails) {
        if (stopping) break;
        const place = { ...folder, uid };
        const hand: { mail?: MailInHand } = {};
        try {
          if (record) {
            hand.mail = inHand(uid, record);
            await acknowledgeOrWarn(current, place, record.postAction, hand.mail);
            handled++;
          } else if (await handleMail(current, place, hand)) handled++;
        } catch (error) {
          if (!current.usable) throw error;
          // Not acknowledged: it stays on the server as it was, and a later pass reads it again.
          const failure = await handleFailure(current, place, hand, error);
          if (failure.done) handled++;
          else {
            deferred++;
            deferredReason = failure.reason;
          }
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
      sync: fromPromise<PassResult>(async () => ({ ...(await track(pass())), finishedAt: new Date().toISOString() })),
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
    last_pass_at: context.lastPassAt,
  };
}
