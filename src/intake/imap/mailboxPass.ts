import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type pg from 'pg';
import type { PassResult } from '../../../machines/mailbox.ts';
import type { ImapSettings, MailRule, PostAction } from '../../config/imapSchema.ts';
import type { ReceiveResult } from '../../db/invoiceStore.ts';
import { LoaderError, errorCode, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Ingest } from '../ingest.ts';
import { createAcknowledger } from './acknowledgeMail.ts';
import { attachmentFilter, decideMail, screenMail, tooLarge } from './decideMail.ts';
import { isUnavailable } from './failures.ts';
import { inLanes } from './mailLanes.ts';
import { ackFor, decodeAck, encodeAck, unacknowledgedSearch } from './mailAck.ts';
import { bytesOf, envelopeFrom, inHand, mailIdentityOf, type MailInHand } from './mailInHand.ts';
import { formatAddresses, parseMail, withoutNul } from './parseMail.ts';
import {
  findProcessed,
  findRecordHolding,
  recordFailedAttempt,
  recordProcessed,
  sameMail,
  type MailOutcome,
  type MailPlace,
  type ProcessedMail,
} from './processedMail.ts';
import { chooseRule } from './rules.ts';

/**
 * One pass over the configured folder, for each mail not yet acknowledged — up to
 * intake.imap.concurrency mails at once, those sharing a Message-ID in UID order (mailLanes.ts);
 * each mail's steps below stay in this order, whatever the others do:
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
export interface MailboxPassDeps {
  settings: ImapSettings;
  ingest: Ingest;
  pool: () => pg.Pool;
  log: Logger;
  now: () => Date;
  /** The connection's description for errors ("imap.example.sk:993 as user"). */
  server: string;
  /** A graceful stop asked: the pass ends after the mails in hand. */
  stopping: () => boolean;
}

/** A mail of the pass: its UID, its envelope and size, and its record when one describes it. */
interface PassMail {
  uid: number;
  head: FetchMessageObject;
  mail: MailInHand;
  record: ProcessedMail | undefined;
}

/**
 * Mails sharing a Message-ID are handled in UID order (a second copy is then told a duplicate
 * of the recorded first); a mail without one is a lane of its own.
 */
const laneOf = ({ uid, mail }: PassMail) =>
  mail.identity.messageId === null ? `uid:${uid}` : `id:${mail.identity.messageId}`;

export function createMailboxPass(deps: MailboxPassDeps) {
  const { settings, log } = deps;
  /** Part of every mail's place: another account or server has its own UIDs. */
  const account = `${settings.user}@${settings.host.toLowerCase()}`;
  const maxBytes = bytesOf(settings.maxAttachmentMb);
  const maxMailBytes = bytesOf(settings.maxMailMb);
  const keepRaw = settings.rules.some((rule) => rule.consume !== 'attachments');
  /** Every post-action a taken mail may get: the global one and each rule's own. */
  const postActionsInUse = new Set<PostAction>([
    settings.postAction,
    ...settings.rules.flatMap((rule) => (rule.postAction ? [rule.postAction] : [])),
  ]);
  const acknowledger = createAcknowledger({ pool: deps.pool, log });

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
    const ack = ackFor(outcome, rule, settings);
    await recordProcessed(deps.pool(), {
      ...place,
      ...mail.identity,
      outcome,
      rule: rule?.name ?? null,
      invoiceIds,
      detail: detail === null ? null : withoutNul(detail),
      postAction: encodeAck(ack),
    });
    acknowledger.acknowledgeLater(current, place, ack, mail);
  }

  async function refuseTooLarge(current: ImapFlow, place: MailPlace, mail: MailInHand, reason: string, size: number) {
    log.warn(
      { ...mail.about, bytes: size, folder: settings.folders.unrecognized, code: 'MAIL_TOO_LARGE' },
      `${mail.describe} was not read: ${reason}; moved to ${settings.folders.unrecognized}`,
    );
    await conclude(current, place, mail, 'unrecognized', undefined, [], reason);
  }

  /** Handles one mail not yet recorded, from its envelope and size (`head`, fetched with the pass's list). */
  async function handleMail(current: ImapFlow, place: MailPlace, head: FetchMessageObject, mail: MailInHand) {
    const range = String(place.uid);

    const screening = screenMail(settings, envelopeFrom(head.envelope), head.size);
    if (screening.kind === 'reject') {
      // Told before the record, so the operator hears of it even if recording has to wait.
      log.warn(
        { ...mail.about, folder: settings.folders.rejected, code: 'MAIL_SENDER_REJECTED' },
        `${mail.describe} was not read: ${screening.reason}; moved to ${settings.folders.rejected}`,
      );
      await conclude(current, place, mail, 'rejected', undefined, [], screening.reason);
      return true;
    }
    if (screening.kind === 'tooLarge') {
      await refuseTooLarge(current, place, mail, screening.reason, head.size!);
      return true;
    }

    const at = deps.now();
    const download = await current.download(range, undefined, { uid: true });
    if (!download.content) return false;
    const parsed = await parseMail(download.content, {
      maxBytes,
      maxMailBytes,
      keepRaw,
      keep: attachmentFilter(settings.rules, at),
    });
    if (parsed.oversize) {
      await refuseTooLarge(current, place, mail, tooLarge(settings, parsed.rawSize).reason, parsed.rawSize);
      return true;
    }
    const rule = chooseRule(settings.rules, parsed, at);
    const base = mail.identity.messageId
      ? `email:${mail.identity.messageId}`
      : `imap:${account}/${place.mailbox}:${place.uidValidity}:${place.uid}`;
    const decision = decideMail(parsed, rule, base);
    if (decision.tooLarge.length > 0) {
      log.warn(
        { ...mail.about, attachments: decision.tooLarge, code: 'MAIL_ATTACHMENT_TOO_LARGE' },
        `${mail.describe}: ${decision.tooLarge.join(', ')} not stored: larger than intake.imap.maxAttachmentMb (${settings.maxAttachmentMb} MB)`,
      );
    }
    if (decision.kind === 'unrecognized') {
      log.warn(
        { ...mail.about, rule: rule.name, folder: settings.folders.unrecognized, code: 'MAIL_UNRECOGNIZED' },
        `${mail.describe} has no usable invoice document: ${decision.reason}; moved to ${settings.folders.unrecognized}`,
      );
      await conclude(current, place, mail, 'unrecognized', rule, [], decision.reason);
      return true;
    }

    const { documents } = decision;
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
      const detail = `the same documents as mail ${earlier.uid} in ${earlier.mailbox}`;
      await conclude(current, place, mail, 'duplicate', rule, invoiceIds, detail);
      return true;
    }
    log.info(
      { ...mail.about, ...held, rule: rule.name, invoices: invoiceIds, documents: documents.map((d) => d.filename) },
      `${mail.describe}: ${documents.length} document(s) stored`,
    );
    const detail = decision.tooLarge.length > 0 ? `not stored (too large): ${decision.tooLarge.join(', ')}` : null;
    await conclude(current, place, mail, 'received', rule, invoiceIds, detail);
    return true;
  }

  /**
   * A mail whose handling failed while the connection stayed up. Database or connection away:
   * deferred, not counted. Anything else: counted; at maxMailAttempts the mail is given up.
   * Answers whether the mail is done with (given up) rather than deferred.
   */
  async function handleFailure(current: ImapFlow, place: MailPlace, mail: MailInHand, error: unknown) {
    const reason = withoutNul(errorMessage(error));
    const code = errorCode(error);
    const defer = (why: string, extra: Record<string, unknown> = {}) => {
      log.warn(
        { ...mail.about, err: error, err_code: code, ...extra, code: 'MAIL_DEFERRED' },
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
      const why = `${reason} (failed attempt ${attempts} of intake.imap.maxMailAttempts ${settings.maxMailAttempts})`;
      return defer(why, { attempts });
    }
    log.warn(
      {
        ...mail.about,
        err: error,
        err_code: code,
        attempts,
        folder: settings.folders.unrecognized,
        code: 'MAIL_UNPROCESSABLE',
      },
      `${mail.describe} (Message-ID ${mail.identity.messageId ?? 'none'}) could not be read in ${attempts} attempts and is given up: ${reason}; moved to ${settings.folders.unrecognized}`,
    );
    try {
      const detail = `given up after ${attempts} failed attempts: ${reason}`;
      await conclude(current, place, mail, 'failed', undefined, [], detail);
      return { done: true, reason };
    } catch (recordError) {
      if (!current.usable) throw recordError;
      return defer(errorMessage(recordError));
    }
  }

  /** The envelopes and sizes of these mails, in one FETCH (not one per mail: a burst is one round trip). */
  async function envelopes(current: ImapFlow, uids: number[]): Promise<Map<number, FetchMessageObject>> {
    const found = new Map<number, FetchMessageObject>();
    if (uids.length === 0) return found;
    for await (const message of current.fetch(uids, { uid: true, envelope: true, size: true }, { uid: true })) {
      found.set(message.uid, message);
    }
    return found;
  }

  /**
   * The mails of this pass in UID order, each with its envelope and with its record when one
   * describes it: a record of another mail at the same place is not trusted, and a mail whose
   * record says acknowledged (by whatever post-action applied to it) is left out.
   */
  async function toHandle(current: ImapFlow, uids: number[], known: Map<number, ProcessedMail>): Promise<PassMail[]> {
    const heads = await envelopes(current, uids);
    const list: PassMail[] = [];
    for (const uid of uids) {
      const head = heads.get(uid);
      if (!head) continue; // expunged meanwhile
      const mail = inHand(uid, mailIdentityOf(head.envelope));
      const record = known.get(uid);
      if (!record) {
        list.push({ uid, head, mail, record });
        continue;
      }
      if (sameMail(record, mail.identity)) {
        if (!record.acknowledged) list.push({ uid, head, mail: inHand(uid, record), record });
        continue;
      }
      log.warn(
        { ...mail.about, recorded_message_id: record.messageId, code: 'MAIL_RECORD_MISMATCH' },
        `${mail.describe} is at a place (UID ${uid}) recorded for another mail (Message-ID ${record.messageId ?? 'none'}, "${record.subject ?? ''}"): the mailbox was restored or replaced; it is read as a new mail`,
      );
      list.push({ uid, head, mail, record: undefined });
    }
    return list;
  }

  function deferAll(count: number, error: unknown): PassResult {
    const reason = errorMessage(error);
    log.warn(
      { mails: count, err: error, code: 'MAIL_DEFERRED', err_code: errorCode(error) },
      `${count} mail(s) stay on the server, unacknowledged, for now: ${reason}`,
    );
    return { handled: 0, deferred: count, deferredReason: reason };
  }

  return {
    /** A new connection: the folders made sure of on the old one are checked again. */
    forgetFolders: acknowledger.forget,
    async run(current: ImapFlow | undefined): Promise<PassResult> {
      if (!current?.usable) throw new LoaderError('IMAP_UNAVAILABLE', `The connection to ${deps.server} is closed.`);
      const lock = await current.getMailboxLock(settings.mailbox);
      try {
        const uidValidity = current.mailbox ? current.mailbox.uidValidity : 0n;
        const folder = { account, mailbox: settings.mailbox, uidValidity };
        const found = await current.search(unacknowledgedSearch(postActionsInUse, settings.keyword), { uid: true });
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
        const lanes = { concurrency: settings.concurrency, keyOf: laneOf, stopping: deps.stopping };
        const handling = inLanes(mails, lanes, async ({ uid, head, mail, record }) => {
          const place = { ...folder, uid };
          try {
            if (record) {
              acknowledger.acknowledgeLater(current, place, decodeAck(record.postAction), mail);
              handled++;
            } else if (await handleMail(current, place, head, mail)) handled++;
          } catch (error) {
            if (!current.usable) throw error;
            // Not acknowledged: it stays on the server as it was, and a later pass reads it again.
            const failure = await handleFailure(current, place, mail, error);
            if (failure.done) handled++;
            else {
              deferred++;
              deferredReason = failure.reason;
            }
          }
        });
        // The pass ends (and the lock goes) only when the acknowledgements it started have ended too.
        await handling.catch(async (error: unknown) => {
          await acknowledger.settled().catch(() => undefined);
          throw error;
        });
        await acknowledger.settled();
        return { handled, deferred, deferredReason };
      } finally {
        lock.release();
      }
    },
  };
}
