import type { ImapFlow } from 'imapflow';
import type pg from 'pg';
import { LoaderError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import { ackFlag, encodeAck, type MailAck } from './mailAck.ts';
import type { MailInHand } from './mailInHand.ts';
import { markAcknowledged, type MailPlace } from './processedMail.ts';

/**
 * Runs a recorded mail's acknowledgement on the server (a move or a mark) and notes it in its
 * record. The folders it has made sure of are remembered per connection: `forget()` on a new one.
 */
export function createAcknowledger(deps: { pool: () => pg.Pool; log: Logger }) {
  const existingFolders = new Set<string>();

  async function ensureFolder(current: ImapFlow, folder: string) {
    if (existingFolders.has(folder)) return;
    await current.mailboxCreate(folder); // answers created: false when it exists already
    existingFolders.add(folder);
  }

  async function acknowledge(current: ImapFlow, place: MailPlace, ack: MailAck): Promise<void> {
    const range = String(place.uid);
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
        `The server did not ${encodeAck(ack).replace(':', ' to ')} mail ${place.uid}.`,
      );
    }
    // Only bookkeeping: a mail already moved is not seen again, and a marked one is skipped by its mark.
    await markAcknowledged(deps.pool(), place).catch((error: unknown) =>
      deps.log.debug({ uid: place.uid, err: error }, 'could not note the acknowledgement'),
    );
  }

  return {
    forget: () => existingFolders.clear(),
    /** Acknowledges; a refusal while the connection stays up is a warning, retried by the next pass. */
    async acknowledgeOrWarn(current: ImapFlow, place: MailPlace, ack: MailAck, mail: MailInHand) {
      try {
        await acknowledge(current, place, ack);
      } catch (error) {
        if (!current.usable) throw error;
        // The mail is recorded, so it will not be stored again; the next pass tries the post-action again.
        const postAction = encodeAck(ack);
        deps.log.warn(
          { ...mail.about, post_action: postAction, err: error, code: 'MAIL_POST_ACTION_FAILED' },
          `${mail.describe} is recorded, but ${postAction} failed (${errorMessage(error)}); the next pass tries again`,
        );
      }
    },
  };
}
