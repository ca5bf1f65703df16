import { fileURLToPath } from 'node:url';

/** The supplier templates that come with the daemon (L&Š, MARSO, generic). */
export const shippedTemplateDir = fileURLToPath(new URL('../../config/templates', import.meta.url));
