import type { InvoiceStatus } from '../invoice/status.ts';
import type { HealthStatus } from '../runtime/health.ts';
import type { Lang } from './text.ts';

/**
 * What the operators read for an invoice's status and the daemon's health. The stored codes
 * stay in links and filters (`/queue?status=needs_review`); people see these words. Every
 * status must have its name: the `satisfies` below fails to compile when a new one has none.
 */
const INVOICE_STATUS_NAMES = {
  received: { sk: 'Prijatá', en: 'Received' },
  extracting: { sk: 'Čítajú sa údaje', en: 'Extracting' },
  extracted: { sk: 'Údaje prečítané', en: 'Extracted' },
  validating: { sk: 'Kontroluje sa', en: 'Validating' },
  needs_review: { sk: 'Na kontrolu', en: 'Needs review' },
  validated: { sk: 'Čaká na schválenie', en: 'Awaiting approval' },
  approved: { sk: 'Schválená', en: 'Approved' },
  posting: { sk: 'Zapisuje sa do NEX', en: 'Posting to NEX' },
  retry: { sk: 'Zápis sa zopakuje', en: 'Retrying' },
  posted: { sk: 'Zapísaná v NEX', en: 'Posted' },
  dead_letter: { sk: 'Nedoručená', en: 'Dead letter' },
  unreadable: { sk: 'Nečitateľná', en: 'Unreadable' },
  duplicate: { sk: 'Duplikát', en: 'Duplicate' },
  rejected: { sk: 'Zamietnutá', en: 'Rejected' },
  superseded: { sk: 'Nahradená', en: 'Superseded' },
} satisfies Record<InvoiceStatus, Record<Lang, string>>;

const HEALTH_NAMES = {
  pass: { sk: 'v poriadku', en: 'healthy' },
  warn: { sk: 'upozornenie', en: 'warning' },
  fail: { sk: 'porucha', en: 'failing' },
} satisfies Record<HealthStatus, Record<Lang, string>>;

/** The status's name; a code this build does not know (a newer daemon's row) is shown as it is. */
export function statusName(lang: Lang, status: string): string {
  return (INVOICE_STATUS_NAMES as Record<string, Record<Lang, string>>)[status]?.[lang] ?? status;
}

export function healthName(lang: Lang, status: HealthStatus): string {
  return HEALTH_NAMES[status][lang];
}
