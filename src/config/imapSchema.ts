import { z } from 'zod';

/**
 * intake.imap: the mailbox poller's settings (machines/mailbox.ts). Kept beside schema.ts
 * because the mail rules make it long.
 */
export const imapConfigSchema = z.strictObject({
  enabled: z.boolean(),
});
