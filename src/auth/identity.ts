import { userInfo } from 'node:os';
import type { IntegrationRole, Role } from './roles.ts';

/**
 * Who is asking: a signed-in person (by session cookie or by one of their tokens), an
 * integration token that belongs to nobody, or the CLI on the server. Every decision records
 * the identity's actor label; a name typed into a request is never trusted.
 */
export type Identity =
  | {
      kind: 'person';
      name: string;
      displayName: string;
      role: Role;
      /** How the person proved who they are; `token` carries the token's label. */
      via: { session: string } | { token: string };
    }
  | { kind: 'integration'; name: string; role: IntegrationRole }
  | { kind: 'cli'; name: string; role: 'admin'; label: string | null };

/** The name that goes into invoice_events.actor. */
export function actorLabel(identity: Identity): string {
  switch (identity.kind) {
    case 'person':
      return 'token' in identity.via ? `${identity.name} (token ${identity.via.token})` : identity.name;
    case 'integration':
      return `token:${identity.name}`;
    case 'cli':
      return identity.label ? `${identity.name} (as ${identity.label})` : identity.name;
  }
}

/**
 * Who counts as one approver: a person (however they signed in), or the CLI's OS user, which
 * has the database in hand anyway. Integration tokens belong to nobody and never approve.
 */
export function approverKey(identity: Identity): string | null {
  if (identity.kind === 'integration') return null;
  return identity.name;
}

/** The CLI on the server: `cli:<OS user>`; `--as NAME` survives only as a label. */
export function cliIdentity(label?: string): Identity {
  let user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name is the best there is.
  }
  return { kind: 'cli', name: `cli:${user}`, role: 'admin', label: label?.trim() || null };
}
