import type { ImapFlow } from 'imapflow';
import type pg from 'pg';
import { LoaderError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import { ackFlag, encodeAck, type MailAck } from './mailAck.ts';
import type { MailInHand } from './mailInHand.ts';
import { markAcknowledged, type MailPlace } from './processedMail.ts';

/**
 * Runs recorded mails' acknowledgements on the server (a move or a mark) and notes them in their
 * records. The folders it has made sure of are remembered per connection: `forget()` on a new one.
 *
 * Acknowledgements asked while one is on the wire wait and then go together, one command for
 * every mail with the same acknowledgement (`UID MOVE 7,9,12 Processed`): a move costs the
 * server a copy and an fsync whatever the number of mails, and the connection runs one command
 * at a time, so moving a burst of mail one by one was what held the burst up.
 */
export function createAcknowledger(deps: { pool: () => pg.Pool; log: Logger }) {
  const existingFolders = new Set<string>();
  /** Waiting for the command on the wire; each settles with its mail's outcome. */
  let waiting: Array<Waiting> = [];
  let flushing = false;

  interface Waiting {
    current: ImapFlow;
    place: MailPlace;
    ack: MailAck;
    settle: (error?: unknown) => void;
  }

  async function ensureFolder(current: ImapFlow, folder: string) {
    if (existingFolders.has(folder)) return;
    await current.mailboxCreate(folder); // answers created: false when it exists already
    existingFolders.add(folder);
  }

  /** One command for these mails, all on one connection in one folder with one acknowledgement. */
  async function acknowledge(current: ImapFlow, places: MailPlace[], ack: MailAck): Promise<void> {
    const range = places.map((place) => place.uid).join(',');
    let done: boolean;
    if (ack.kind === 'move') {
      await ensureFolder(current, ack.folder);
      done = (await current.messageMove(range, ack.folder, { uid: true })) !== false;
      // The folder may have been deleted meanwhile: the next try creates it again.
      if (!done) existingFolders.delete(ack.folder);
    } else {
      done = await current.messageFlagsAdd(range, [ackFlag(ack)], { uid: true });
    }
    if (!done) {
      throw new LoaderError(
        'MAIL_POST_ACTION_FAILED',
        `The server did not ${encodeAck(ack).replace(':', ' to ')} mail ${range}.`,
      );
    }
    // Only bookkeeping: a mail already moved is not seen again, and a marked one is skipped by its mark.
    await markAcknowledged(deps.pool(), places).catch((error: unknown) =>
      deps.log.debug({ uids: range, err: error }, 'could not note the acknowledgement'),
    );
  }

  /** Sends what waits, a group at a time, until nothing does. */
  async function flush() {
    try {
      while (waiting.length > 0) {
        const first = waiting[0]!;
        const together = (entry: Waiting) =>
          entry.current === first.current &&
          entry.place.mailbox === first.place.mailbox &&
          entry.place.uidValidity === first.place.uidValidity &&
          encodeAck(entry.ack) === encodeAck(first.ack);
        const group = waiting.filter(together);
        waiting = waiting.filter((entry) => !together(entry));
        try {
          await acknowledge(
            first.current,
            group.map((entry) => entry.place),
            first.ack,
          );
          for (const entry of group) entry.settle();
        } catch (error) {
          for (const entry of group) entry.settle(error);
        }
      }
    } finally {
      // In the same turn as the empty check above: a mail that comes later starts a new flush.
      flushing = false;
    }
  }

  function acknowledgeSoon(current: ImapFlow, place: MailPlace, ack: MailAck): Promise<void> {
    const settled = new Promise<void>((resolve, reject) =>
      waiting.push({ current, place, ack, settle: (error) => (error === undefined ? resolve() : reject(error)) }),
    );
    if (!flushing) {
      flushing = true;
      void flush();
    }
    return settled;
  }

  /** Acknowledges; a refusal while the connection stays up is a warning, retried by the next pass. */
  async function acknowledgeOrWarn(current: ImapFlow, place: MailPlace, ack: MailAck, mail: MailInHand) {
    try {
      await acknowledgeSoon(current, place, ack);
    } catch (error) {
      if (!current.usable) throw error;
      // The mail is recorded, so it will not be stored again; the next pass tries the post-action again.
      const postAction = encodeAck(ack);
      deps.log.warn(
        { ...mail.about, post_action: postAction, err: error, code: 'MAIL_POST_ACTION_FAILED' },
        `${mail.describe} is recorded, but ${postAction} failed (${errorMessage(error)}); the next pass tries again`,
      );
    }
  }

  /** Acknowledgements under way that nobody awaits yet, and the first that found the connection gone. */
  const underWay = new Set<Promise<void>>();
  let lost: { error: unknown } | undefined;

  return {
    forget: () => existingFolders.clear(),
    /**
     * Starts a recorded mail's acknowledgement and returns at once, so the pass can take its
     * next mail while this one's move waits to go out with others; `settled()` waits for them.
     */
    acknowledgeLater(current: ImapFlow, place: MailPlace, ack: MailAck, mail: MailInHand): void {
      const work: Promise<void> = acknowledgeOrWarn(current, place, ack, mail)
        .catch((error: unknown) => void (lost ??= { error }))
        .finally(() => underWay.delete(work));
      underWay.add(work);
    },
    /** Resolves when every acknowledgement started has ended; rejects if one found the connection gone. */
    async settled(): Promise<void> {
      while (underWay.size > 0) await Promise.all(underWay);
      const failure = lost;
      lost = undefined;
      if (failure) throw failure.error;
    },
  };
}
