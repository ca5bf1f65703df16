import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * intake.imap: the mailbox poller's settings (machines/mailbox.ts, src/intake/imap). Kept
 * beside schema.ts because the mail rules make it long. Defaults live in config/default.yaml.
 */
const positiveMillis = z.number().int().positive();

/** Where the mail goes after it was handled; `move` to folders.processed, or a mark on it in place. */
export const POST_ACTIONS = ['move', 'seen', 'flag', 'keyword'] as const;
export type PostAction = (typeof POST_ACTIONS)[number];

/** What of a matching mail becomes invoice documents (paperless-ngx's "consumption scope"). */
export const CONSUME_SCOPES = ['attachments', 'eml', 'both'] as const;
export type ConsumeScope = (typeof CONSUME_SCOPES)[number];

/** An IMAP keyword is an atom: no spaces, parentheses, wildcards, quotes or backslashes (RFC 3501). */
const keyword = z.string().regex(/^[^\s(){%*"\\\]]+$/, 'must be one IMAP keyword (no spaces or ( ) { % * " \\ ])');

/**
 * One mail rule. Every filter that is set must match; an unset filter matches everything, so
 * a rule with no filters is a catch-all. Text filters are case-insensitive: with `*` or `?`
 * a wildcard over the whole value, without them a substring.
 */
export const mailRuleSchema = z.strictObject({
  name: z.string().min(1),
  /** Matched against each sender address and display name ("Name <a@b.sk>"). */
  from: z.string().min(1).optional(),
  /** Matched against each To and Cc address. */
  to: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  /** Matched against the plain text of the mail (or the text of its HTML). */
  body: z.string().min(1).optional(),
  /** Attachment file names to take, as wildcards ("*.pdf, *.xml"); default all. */
  attachmentInclude: z.string().min(1).optional(),
  /** Attachment file names to leave out, as wildcards. */
  attachmentExclude: z.string().min(1).optional(),
  /** Mails older than this (by their Date header) do not match. */
  maxAgeDays: z.number().int().positive().optional(),
  consume: z.enum(CONSUME_SCOPES).default('attachments'),
  /** Overrides intake.imap.postAction for mails this rule took. */
  postAction: z.enum(POST_ACTIONS).optional(),
});
export type MailRule = z.infer<typeof mailRuleSchema>;

const folderName = z.string().min(1);

export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (lower === 'localhost' || lower === '::1') return true;
  return isIP(lower) === 4 && lower.startsWith('127.');
}

export const imapConfigSchema = z
  .strictObject({
    enabled: z.boolean(),
    host: z.string(),
    /** 0 = the usual port of the security mode: 993 for tls, 143 for starttls and plain. */
    port: z.number().int().min(0).max(65535),
    security: z.enum(['tls', 'starttls', 'plain']),
    /** A PEM file with the CA (or the self-signed certificate) to trust besides the system ones. */
    caFile: z.string(),
    user: z.string(),
    password: z.string(),
    /** OAuth2 instead of a password (Microsoft 365, Google): an access token, used with XOAUTH2/OAUTHBEARER. */
    accessToken: z.string(),
    mailbox: z.string().min(1),
    idle: z.boolean(),
    pollMs: positiveMillis,
    connectTimeoutMs: positiveMillis,
    reconnect: z.strictObject({
      minMs: positiveMillis,
      maxMs: positiveMillis,
      jitter: z.number().min(0).max(1),
    }),
    maxAttachmentMb: z.number().positive(),
    /** A mail larger than this (whole, as the server holds it) is not read: it goes to folders.unrecognized. */
    maxMailMb: z.number().positive(),
    /** Failed attempts (not a lost connection or database) after which a mail is given up as `failed`. */
    maxMailAttempts: z.number().int().min(1),
    /** Mails of one pass handled at once (their downloads, parsing and commits overlap); 1 = one after another. */
    concurrency: z.number().int().min(1).max(32),
    /** Sender addresses (wildcards: "*@supplier.sk") whose mail is read; empty = everyone's. */
    allowedSenders: z.array(z.string().min(1)),
    folders: z.strictObject({ processed: folderName, rejected: folderName, unrecognized: folderName }),
    postAction: z.enum(POST_ACTIONS),
    keyword: keyword,
    rules: z.array(mailRuleSchema),
  })
  .superRefine((imap, context) => {
    if (!imap.enabled) return;
    if (!imap.host) context.addIssue({ code: 'custom', path: ['host'], message: 'must be set when imap is enabled' });
    if (!imap.user) context.addIssue({ code: 'custom', path: ['user'], message: 'must be set when imap is enabled' });
    // A password in clear text may only cross this machine's loopback interface.
    if (imap.security === 'plain' && imap.host && !isLoopbackHost(imap.host)) {
      context.addIssue({
        code: 'custom',
        path: ['security'],
        message: `plain (no TLS) is only allowed for a server on this machine (localhost, 127.x, ::1), not ${imap.host}; use tls or starttls`,
      });
    }
    const names = new Set(Object.values(imap.folders));
    if (names.has(imap.mailbox))
      context.addIssue({
        code: 'custom',
        path: ['folders'],
        message: `a folder cannot be the mailbox that is read (${imap.mailbox})`,
      });
  });

export type ImapSettings = z.infer<typeof imapConfigSchema>;
