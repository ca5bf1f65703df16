import type { MailPlan, Severity, StoredAlert } from '../../machines/alertPolicy.ts';
import { localTime, renderHtml, renderText, type MailSection } from './mailLayout.ts';

/** The texts of alert mail, Slovak first. */
const words = {
  sk: {
    severity: { critical: 'KRITICKÉ', warning: 'VAROVANIE', info: 'INFO' } as Record<Severity, string>,
    resolved: 'VYRIEŠENÉ',
    firing: 'Aktívne upozornenia',
    resolvedTitle: 'Vyriešené',
    header: ['Závažnosť', 'Kľúč', 'Od', 'Popis'],
    resolvedHeader: ['Kľúč', 'Od', 'Do', 'Popis'],
    intro: (firing: number, resolved: number) =>
      `Aktívne: ${firing}, vyriešené: ${resolved}. Upozornenie stíšite príkazom invoice-loader alerts silence KĽÚČ --for 2h --reason "…".`,
    subjectMany: (n: number) => `${n} upozornení`,
    footer: (customer: string, host: string) => `Supplier Invoice Loader · ${customer} · ${host}`,
    repeat: 'opakovane',
  },
  en: {
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as Record<Severity, string>,
    resolved: 'RESOLVED',
    firing: 'Firing',
    resolvedTitle: 'Resolved',
    header: ['Severity', 'Key', 'Since', 'Summary'],
    resolvedHeader: ['Key', 'Since', 'Until', 'Summary'],
    intro: (firing: number, resolved: number) =>
      `Firing: ${firing}, resolved: ${resolved}. Silence an alert with invoice-loader alerts silence KEY --for 2h --reason "…".`,
    subjectMany: (n: number) => `${n} alerts`,
    footer: (customer: string, host: string) => `Supplier Invoice Loader · ${customer} · ${host}`,
    repeat: 'repeated',
  },
};

export interface MailContext {
  locale: 'sk' | 'en';
  timeZone: string;
  customer: string;
  host: string;
}

/** One mail for one group: the worst severity in the subject, firing alerts first, then the resolved ones. */
export function renderAlertMail(plan: MailPlan, ctx: MailContext) {
  const w = words[ctx.locale];
  const time = (ms: number) => localTime(ms, ctx.timeZone);
  const worst: Severity | null = plan.firing[0]?.severity ?? null;
  const label = worst ? w.severity[worst] : w.resolved;
  const lead = plan.firing[0] ?? plan.resolved[0]!;
  const count = plan.firing.length + plan.resolved.length;
  const subject = `[${label}] ${count === 1 ? lead.summary : `${w.subjectMany(count)}: ${lead.summary}`} — ${ctx.customer}`;
  const firingRow = (a: StoredAlert) => [
    w.severity[a.severity] + (a.notifiedAt !== null ? ` (${w.repeat})` : ''),
    a.key,
    time(a.firedAt),
    a.summary,
  ];
  const sections: MailSection[] = [];
  if (plan.firing.length) sections.push({ title: w.firing, header: w.header, rows: plan.firing.map(firingRow) });
  if (plan.resolved.length)
    sections.push({
      title: w.resolvedTitle,
      header: w.resolvedHeader,
      rows: plan.resolved.map((a) => [a.key, time(a.firedAt), time(a.resolvedAt!), a.summary]),
    });
  const intro = w.intro(plan.firing.length, plan.resolved.length);
  const footer = w.footer(ctx.customer, ctx.host);
  const tone = worst ?? 'resolved';
  return {
    subject,
    text: renderText(subject, intro, sections, footer),
    html: renderHtml(subject, tone, intro, sections, footer),
  };
}

export function renderTestMail(ctx: MailContext, now: number, requestedBy: string) {
  const sk = ctx.locale === 'sk';
  const subject = sk ? `[TEST] Skúšobná správa — ${ctx.customer}` : `[TEST] Test message — ${ctx.customer}`;
  const intro = sk
    ? `Ak čítate túto správu, upozornenia e-mailom fungujú. Odoslané ${localTime(now, ctx.timeZone)} na žiadosť: ${requestedBy}.`
    : `If you read this, alert mail works. Sent ${localTime(now, ctx.timeZone)} at the request of: ${requestedBy}.`;
  const footer = words[ctx.locale].footer(ctx.customer, ctx.host);
  return {
    subject,
    text: renderText(subject, intro, [], footer),
    html: renderHtml(subject, 'info', intro, [], footer),
  };
}
