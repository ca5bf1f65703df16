/**
 * The console's roles, each including the ones before it: a viewer reads; an operator also
 * corrects, rejects, reprocesses and replays dead letters; an approver also approves; an admin
 * also manages people, tokens, silences and debug routes.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles an integration token (one that belongs to nobody) may have: it can never approve. */
export const INTEGRATION_ROLES = ['viewer', 'operator'] as const satisfies readonly Role[];
export type IntegrationRole = (typeof INTEGRATION_ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `held` is `needed` or above it. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
