import { zonedClock, zonedDate, zonedParts } from '../monitor/zonedParts.ts';

/**
 * The HTML of every mail the alerter sends: tables and inline styles only (Outlook's Word
 * engine ignores <style> blocks, flex and most CSS), a 640 px column, plus the same content as
 * a plain text part.
 */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface MailSection {
  title: string;
  /** Rows of cells; the first row is the header when `header` is set. */
  rows: string[][];
  header?: string[];
  /** A sentence shown when there are no rows. */
  empty?: string;
}

const colours = { critical: '#b91c1c', warning: '#b45309', info: '#1d4ed8', resolved: '#15803d', neutral: '#374151' };
export type Tone = keyof typeof colours;

export function renderHtml(title: string, tone: Tone, intro: string, sections: MailSection[], footer: string): string {
  const cell = 'padding:4px 8px;border-bottom:1px solid #e5e7eb;font-family:Arial,sans-serif;font-size:13px;';
  const table = (s: MailSection) =>
    s.rows.length === 0
      ? `<p style="font-family:Arial,sans-serif;font-size:13px;color:#6b7280;margin:4px 0 12px 0;">${escapeHtml(s.empty ?? '—')}</p>`
      : `<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;margin:4px 0 12px 0;">` +
        (s.header
          ? `<tr>${s.header.map((h) => `<th align="left" style="${cell}background:#f3f4f6;font-weight:bold;">${escapeHtml(h)}</th>`).join('')}</tr>`
          : '') +
        s.rows.map((r) => `<tr>${r.map((c) => `<td style="${cell}">${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
        `</table>`;
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0;padding:0;background:#ffffff;">',
    '<table role="presentation" cellpadding="0" cellspacing="0" width="640" style="border-collapse:collapse;">',
    `<tr><td style="background:${colours[tone]};color:#ffffff;padding:12px 16px;font-family:Arial,sans-serif;font-size:18px;font-weight:bold;">${escapeHtml(title)}</td></tr>`,
    `<tr><td style="padding:12px 16px;font-family:Arial,sans-serif;font-size:14px;color:#111827;">${escapeHtml(intro)}</td></tr>`,
    ...sections.map(
      (s) =>
        `<tr><td style="padding:0 16px;"><h3 style="font-family:Arial,sans-serif;font-size:15px;color:#111827;margin:8px 0 4px 0;">${escapeHtml(s.title)}</h3>${table(s)}</td></tr>`,
    ),
    `<tr><td style="padding:12px 16px;font-family:Arial,sans-serif;font-size:11px;color:#6b7280;">${escapeHtml(footer)}</td></tr>`,
    '</table></body></html>',
  ].join('\n');
}

export function renderText(title: string, intro: string, sections: MailSection[], footer: string): string {
  const lines = [title, '='.repeat(title.length), '', intro, ''];
  for (const s of sections) {
    lines.push(s.title, '-'.repeat(s.title.length));
    if (s.rows.length === 0) lines.push(s.empty ?? '—');
    else {
      const all = s.header ? [s.header, ...s.rows] : s.rows;
      const widths = all[0]!.map((_, i) => Math.min(48, Math.max(...all.map((r) => (r[i] ?? '').length))));
      for (const r of all)
        lines.push(
          r
            .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
            .join('  ')
            .trimEnd(),
        );
    }
    lines.push('');
  }
  lines.push('--', footer);
  return lines.join('\n');
}

/** A local date and time for people: 2026-12-07 18:00 in the configured zone. */
export function localTime(ms: number, timeZone: string): string {
  const parts = zonedParts(ms, timeZone);
  return `${zonedDate(parts)} ${zonedClock(parts)}`;
}
