import type { MailRule } from '../../config/imapSchema.ts';
import { hasAcceptedExtension } from '../mediaType.ts';

/**
 * The mail rules (paperless-ngx's feature set): which mail is taken, and what of it. Pure
 * functions over what the parser found, so every rule can be tested without a server.
 *
 * A rule matches on the mail (from, to, subject, body, age); the first match wins. Its
 * attachment filters then choose which attachments are taken. When no rule is configured, or
 * none matches, the implicit catch-all takes every usable attachment.
 */
export interface MailAddress {
  name: string;
  address: string;
}

export interface MailFacts {
  from: MailAddress[];
  /** To and Cc. */
  to: MailAddress[];
  subject: string;
  text: string;
  date: Date | null;
}

/** What is known of a mail once its headers are read, before its body. */
export type MailHeaderFacts = Omit<MailFacts, 'text'>;

export const CATCH_ALL: MailRule = { name: 'default (catch-all)', consume: 'attachments' };

const patternCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` one character; case-insensitive, over the whole value. */
export function wildcard(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${source}$`, 'is');
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

/** With `*` or `?`: a wildcard over the whole value; without: a case-insensitive substring. */
export function textMatches(pattern: string, value: string): boolean {
  if (/[*?]/.test(pattern)) return wildcard(pattern.trim()).test(value.trim());
  return value.toLowerCase().includes(pattern.toLowerCase());
}

/** A comma-separated list of file name wildcards ("*.pdf, invoice*.xml"). */
export function filenameMatches(patterns: string, filename: string): boolean {
  return patterns
    .split(',')
    .map((pattern) => pattern.trim())
    .filter(Boolean)
    .some((pattern) => wildcard(pattern).test(filename));
}

function addressMatches(pattern: string, addresses: MailAddress[]): boolean {
  return addresses.some(
    ({ name, address }) =>
      textMatches(pattern, address) ||
      (name !== '' && textMatches(pattern, name)) ||
      textMatches(pattern, name ? `${name} <${address}>` : address),
  );
}

/** An empty list lets everyone in; otherwise a sender address must match one entry (wildcards allowed). */
export function senderAllowed(allowed: string[], from: MailAddress[]): boolean {
  if (allowed.length === 0) return true;
  return from.some(({ address }) => allowed.some((entry) => wildcard(entry.trim()).test(address)));
}

export function ruleMatches(rule: MailRule, mail: MailFacts, now: Date): boolean {
  if (rule.from && !addressMatches(rule.from, mail.from)) return false;
  if (rule.to && !addressMatches(rule.to, mail.to)) return false;
  if (rule.subject && !textMatches(rule.subject, mail.subject)) return false;
  if (rule.body && !textMatches(rule.body, mail.text)) return false;
  if (rule.maxAgeDays !== undefined && mail.date) {
    const ageMs = now.getTime() - mail.date.getTime();
    if (ageMs > rule.maxAgeDays * 86_400_000) return false;
  }
  return true;
}

/** The first configured rule that matches, else the implicit catch-all. */
export function chooseRule(rules: MailRule[], mail: MailFacts, now: Date): MailRule {
  return rules.find((rule) => ruleMatches(rule, mail, now)) ?? CATCH_ALL;
}

/**
 * The rule that will take the mail, decided from its headers alone (while its attachments
 * stream by, before the body text is known); undefined when a rule filtering on the body
 * could still be the first match. Agrees with chooseRule whenever it decides.
 */
export function ruleFromHeaders(rules: MailRule[], mail: MailHeaderFacts, now: Date): MailRule | undefined {
  for (const rule of rules) {
    if (!ruleMatches({ ...rule, body: undefined }, { ...mail, text: '' }, now)) continue;
    if (rule.body) return undefined;
    return rule;
  }
  return CATCH_ALL;
}

export function ruleTakesAttachment(rule: MailRule, filename: string): boolean {
  if (rule.attachmentInclude && !filenameMatches(rule.attachmentInclude, filename)) return false;
  if (rule.attachmentExclude && filenameMatches(rule.attachmentExclude, filename)) return false;
  return true;
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/xml': '.xml',
  'text/xml': '.xml',
  'application/x-isdoc': '.isdoc',
  'application/x-isdocx': '.isdocx',
  'message/rfc822': '.eml',
};

/**
 * The name an attachment is stored under, or null when it is not an invoice document (a logo,
 * a signature, a Word letter). A PDF or XML sent without a usable name still counts, by its
 * declared type.
 */
export function documentName(filename: string | undefined, contentType: string, index: number): string | null {
  const name = (filename ?? '').trim();
  if (name && hasAcceptedExtension(name)) return name;
  const extension = EXTENSION_BY_TYPE[contentType.toLowerCase()];
  if (!extension) return null;
  return `${name || `attachment-${index + 1}`}${extension}`;
}

/** A file name for the whole mail as .eml, from its subject. */
export function emlName(subject: string): string {
  const stem = subject
    .replace(/[\\/:*?"<>|\p{Cc}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  return `${stem || 'mail'}.eml`;
}
