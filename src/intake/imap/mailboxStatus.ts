import type { AnyActorRef } from 'xstate';
import type { MailboxContext } from '../../../machines/mailbox.ts';
import { stateLabel } from '../../runtime/inspectionBus.ts';

/*
 * Apart from mailboxService.ts so the heartbeat and health can read the mailbox's state
 * without loading imapflow and mailparser, which a daemon without IMAP never needs.
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
