import type { Identity } from '../../src/auth/identity.ts';
import type { Role } from '../../src/auth/roles.ts';

/** A signed-in person as the access hook hands them to a route (by session unless a token label is given). */
export function personIdentity(name: string, role: Role = 'approver', token?: string): Identity {
  return { kind: 'person', name, displayName: name, role, via: token ? { token } : { session: 'test' } };
}
