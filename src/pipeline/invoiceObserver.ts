import type pg from 'pg';
import type { InvoiceOrigin } from '../invoice/origin.ts';
import type { InvoiceStatus } from '../invoice/status.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Metrics } from '../runtime/metrics.ts';

/**
 * What the operator and Prometheus see of an invoice's way: every transition this daemon makes
 * is counted by from, to and channel; the stages' durations go to one histogram; and the
 * transitions a person acts on are log lines that say where the invoice came from (file name,
 * channel, mail subject and sender), so "needs review" in the log is enough to find the mail.
 */
export type Stage = 'extraction' | 'validation' | 'posting';

export interface InvoiceObserver {
  transition(invoiceId: string, from: InvoiceStatus, to: InvoiceStatus, reason: string, origin?: InvoiceOrigin): void;
  stage(stage: Stage, seconds: number, outcome: string): void;
}

/** Transitions that stop for a person, or that a person made: logged with the reason and the origin. */
const LOGGED: Partial<Record<InvoiceStatus, 'info' | 'warn'>> = {
  needs_review: 'info',
  unreadable: 'warn',
  superseded: 'warn',
  approved: 'info',
  rejected: 'info',
};

export function createInvoiceObserver(logger: Logger, metrics: Metrics): InvoiceObserver {
  const log = logger.child({ component: 'invoices' });
  return {
    transition(invoiceId, from, to, reason, origin) {
      const channel = origin?.channel ?? 'unknown';
      metrics.invoiceTransitions.inc({ from, to, channel });
      const level = LOGGED[to];
      if (!level) return;
      log[level](
        { invoice: invoiceId, from, status: to, reason, ...originFields(origin) },
        `invoice ${invoiceId} ${to.replace('_', ' ')}${origin ? ` (${origin.filename} via ${channel.replace('_', ' ')})` : ''}: ${reason}`,
      );
    },
    stage(stage, seconds, outcome) {
      metrics.stageDuration.observe({ stage, outcome }, seconds);
    },
  };
}

/** The log fields naming an invoice's source: file, channel, and for a mail its subject, sender and id. */
export function originFields(origin: InvoiceOrigin | undefined): Record<string, string> {
  if (!origin) return {};
  const fields: Record<string, string> = { filename: origin.filename, channel: origin.channel };
  if (origin.subject) fields.mail_subject = origin.subject;
  if (origin.sender) fields.mail_from = origin.sender;
  if (origin.message_id) fields.message_id = origin.message_id;
  return fields;
}

/** The origin of one invoice, for the paths that do not have it at hand (a resumed step, a person's decision). */
export async function loadOrigin(pool: pg.Pool, invoiceId: string): Promise<InvoiceOrigin | undefined> {
  const found = await pool.query<InvoiceOrigin>(
    'SELECT channel, filename, sender, subject, message_id FROM invoices WHERE id = $1',
    [invoiceId],
  );
  return found.rows[0];
}

/** Seconds since `startedAt` (a performance.now() value). */
export const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1000;
