/**
 * What the alerter mails, and when: Alertmanager's grouping, inhibition, repeat, resolved and
 * silences as one pure function of the stored alerts and the time. The alerter's dispatch
 * (src/alerts) loads the alerts, asks this, sends the mail, and marks what went out.
 */
export type Severity = 'critical' | 'warning' | 'info';

export interface StoredAlert {
  id: number;
  /** condition:component — what silences match and what makes two firings the same alert. */
  key: string;
  condition: string;
  component: string;
  severity: Severity;
  /** condition: fires and resolves; notice: a one-off event (startup, a rejected sender), mailed once. */
  kind: 'condition' | 'notice';
  summary: string;
  labels: Record<string, string>;
  firedAt: number;
  resolvedAt: number | null;
  notifiedAt: number | null;
  resolvedNotifiedAt: number | null;
  /** A firing mail for it failed: it is owed, so it goes out (as resolved) even if the alert resolved meanwhile. */
  mailFailedAt: number | null;
}

export interface Silence {
  id: number;
  /** An alert key, or a pattern where * stands for anything (disk:*). */
  matcher: string;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string;
}

/** While an alert of `source` fires, alerts of the `targets` conditions are not mailed: they are its effects. */
export interface Inhibition {
  source: string;
  targets: string[];
}

export interface PolicySettings {
  groupWaitMs: number;
  repeat: { criticalMs: number; warningMs: number };
  inhibitions: Inhibition[];
}

export interface MailPlan {
  /** New alerts and notices, and firing alerts whose repeat interval has passed. */
  firing: StoredAlert[];
  resolved: StoredAlert[];
  /** Held back, with why: for the log and `alerts list`. */
  held: Array<{ alert: StoredAlert; why: 'silenced' | 'inhibited' }>;
}

/** The inhibition every installation needs: no database, so the backlog, NEX and intake alerts are its echo. */
export const DEFAULT_INHIBITIONS: Inhibition[] = [
  {
    source: 'database_down',
    targets: [
      'intake_stale',
      'intake_silence',
      'review_waiting',
      'dead_letters',
      'nex_breaker_open',
      'database_round_trip',
    ],
  },
];

export function matchesSilence(matcher: string, key: string): boolean {
  const pattern = new RegExp(`^${matcher.split('*').map(escapeRegExp).join('.*')}$`);
  return pattern.test(key);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function activeSilence(silences: Silence[], key: string, now: number): Silence | undefined {
  return silences.find((s) => s.startsAt <= now && now < s.endsAt && matchesSilence(s.matcher, key));
}

function repeatInterval(severity: Severity, settings: PolicySettings): number {
  if (severity === 'critical') return settings.repeat.criticalMs;
  if (severity === 'warning') return settings.repeat.warningMs;
  return Number.POSITIVE_INFINITY;
}

/** The mail due at `now`, or null when nothing is: the caller sends it and marks it, or tries again later. */
export function planMail(
  alerts: StoredAlert[],
  silences: Silence[],
  settings: PolicySettings,
  now: number,
): MailPlan | null {
  const open = alerts.filter((a) => a.resolvedAt === null || (a.kind === 'notice' && a.notifiedAt === null));
  const firingConditions = new Set(open.filter((a) => a.kind === 'condition').map((a) => a.condition));
  const held: MailPlan['held'] = [];
  const mailable = (alert: StoredAlert): boolean => {
    if (activeSilence(silences, alert.key, now)) {
      held.push({ alert, why: 'silenced' });
      return false;
    }
    const inhibited = settings.inhibitions.some(
      (i) => i.source !== alert.condition && firingConditions.has(i.source) && i.targets.includes(alert.condition),
    );
    if (inhibited) held.push({ alert, why: 'inhibited' });
    return !inhibited;
  };
  const fresh = open.filter((a) => a.notifiedAt === null).filter(mailable);
  const repeats = open
    .filter((a) => a.kind === 'condition' && a.notifiedAt !== null)
    .filter((a) => now - a.notifiedAt! >= repeatInterval(a.severity, settings))
    .filter(mailable);
  const resolved = alerts.filter(
    (a) =>
      a.kind === 'condition' &&
      a.resolvedAt !== null &&
      (a.notifiedAt !== null || a.mailFailedAt !== null) &&
      a.resolvedNotifiedAt === null,
  );
  // A group goes out once its oldest member has waited groupWaitMs, taking along whatever fired since.
  const groupReady =
    fresh.some((a) => now - a.firedAt >= settings.groupWaitMs) ||
    repeats.length > 0 ||
    resolved.some((a) => now - a.resolvedAt! >= settings.groupWaitMs);
  if (!groupReady) return null;
  const firing = [...fresh, ...repeats].sort(bySeverityThenTime);
  if (firing.length === 0 && resolved.length === 0) return null;
  return { firing, resolved: resolved.sort(bySeverityThenTime), held };
}

const severityRank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
function bySeverityThenTime(a: StoredAlert, b: StoredAlert): number {
  return severityRank[a.severity] - severityRank[b.severity] || a.firedAt - b.firedAt;
}
