import test from 'ava';
import { createToken, findToken, listTokens, revokeToken } from '../../src/auth/apiTokens.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { addPerson, disablePerson, findPerson, listPeople, setPassword, setRole } from '../../src/auth/people.ts';
import { createSession, findSession } from '../../src/auth/sessions.ts';
import { checkSignIn } from '../../src/auth/signIn.ts';
import { migratedPool } from '../support/migratedDatabase.ts';

const HOUR = 3_600_000;

test('a password hash has a salt of its own and matches only its password', async (t) => {
  const one = await hashPassword('correct horse battery');
  const two = await hashPassword('correct horse battery');
  t.not(one, two, 'two hashes of one password differ by their salt');
  t.regex(one, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  t.true(await verifyPassword('correct horse battery', one));
  t.false(await verifyPassword('correct horse batterz', one));
  t.false(await verifyPassword('anything', 'not-a-hash'));
});

test('people: add, names case-insensitive, roles, short passwords refused, no password stored in the clear', async (t) => {
  const pool = await migratedPool(t);
  const jana = await addPerson(pool, {
    name: 'Jana',
    role: 'operator',
    displayName: 'Jana Nováková',
    password: 'heslo-jany-123',
  });
  t.like(jana, { name: 'jana', display_name: 'Jana Nováková', role: 'operator', disabled: false, has_password: true });
  await t.throwsAsync(addPerson(pool, { name: 'JANA', role: 'viewer' }), { message: /already a person named jana/ });
  await t.throwsAsync(addPerson(pool, { name: 'eva', role: 'boss' }), {
    message: /"boss" is not a role; the roles are viewer, operator, approver, admin/,
  });
  await t.throwsAsync(addPerson(pool, { name: 'eva', role: 'viewer', password: 'short' }), {
    message: /at least 10 characters/,
  });
  await t.throwsAsync(addPerson(pool, { name: 'a b', role: 'viewer' }), { message: /cannot be a sign-in name/ });
  const stored = (await pool.query<{ password_hash: string }>("SELECT password_hash FROM people WHERE name = 'jana'"))
    .rows[0]!;
  t.false(stored.password_hash.includes('heslo-jany-123'));
  t.like(await setRole(pool, 'jana', 'approver'), { role: 'approver' });
  t.deepEqual(
    (await listPeople(pool)).map((p) => p.name),
    ['jana'],
  );
  await t.throwsAsync(setRole(pool, 'nobody', 'admin'), { message: /There is no person named nobody/ });
});

test('sign-in: right password once, lockout after repeated failures, a new password lifts it', async (t) => {
  const pool = await migratedPool(t);
  await addPerson(pool, { name: 'peter', role: 'approver', password: 'peter-heslo-1' });
  const policy = { failures: 3, lockoutMs: HOUR };
  const ok = await checkSignIn(pool, { name: 'Peter', password: 'peter-heslo-1' }, policy);
  t.true(ok.ok);
  t.truthy((await findPerson(pool, 'peter'))?.last_sign_in_at);

  t.like(await checkSignIn(pool, { name: 'nobody', password: 'x' }, policy), { ok: false, why: 'unknown' });
  t.like(await checkSignIn(pool, { name: 'peter', password: 'wrong-1' }, policy), { ok: false, lockedNow: false });
  t.like(await checkSignIn(pool, { name: 'peter', password: 'wrong-2' }, policy), { ok: false, lockedNow: false });
  const third = await checkSignIn(pool, { name: 'peter', password: 'wrong-3' }, policy);
  t.like(third, { ok: false, why: 'wrong_password', lockedNow: true });
  const locked = await checkSignIn(pool, { name: 'peter', password: 'peter-heslo-1' }, policy);
  t.like(locked, { ok: false, why: 'locked' }, 'even the right password waits out the lockout');

  await setPassword(pool, 'peter', 'nove-heslo-petra');
  t.true((await checkSignIn(pool, { name: 'peter', password: 'nove-heslo-petra' }, policy)).ok);

  await disablePerson(pool, 'peter');
  t.like(await checkSignIn(pool, { name: 'peter', password: 'nove-heslo-petra' }, policy), {
    ok: false,
    why: 'disabled',
  });
});

test('sessions: found while fresh, gone after the idle timeout, ended by disabling or a role change', async (t) => {
  const pool = await migratedPool(t);
  await addPerson(pool, { name: 'jana', role: 'operator', password: 'heslo-jany-123' });
  const id = await createSession(pool, 'jana');
  t.like(await findSession(pool, id, 8 * HOUR), { name: 'jana', role: 'operator' });
  t.is(await findSession(pool, `${id}x`, 8 * HOUR), null);
  await pool.query("UPDATE console_sessions SET last_seen_at = now() - interval '9 hours'");
  t.is(await findSession(pool, id, 8 * HOUR), null, 'idle for longer than the timeout');

  const again = await createSession(pool, 'jana');
  await setRole(pool, 'jana', 'viewer');
  t.is(await findSession(pool, again, 8 * HOUR), null, 'a role change signs the person out');
  const third = await createSession(pool, 'jana');
  await disablePerson(pool, 'jana');
  t.is(await findSession(pool, third, 8 * HOUR), null);
  const stored = (await pool.query<{ id_sha256: string }>('SELECT id_sha256 FROM console_sessions')).rows;
  t.false(
    stored.some((row) => row.id_sha256 === third),
    'only digests are stored',
  );
});

test('tokens: person tokens and integration tokens, stored as digests, never above operator without a person, revocable', async (t) => {
  const pool = await migratedPool(t);
  await addPerson(pool, { name: 'jana', role: 'approver' });
  const personal = await createToken(pool, { label: 'jana-script', person: 'Jana' });
  const n8n = await createToken(pool, { label: 'n8n', role: 'operator' });
  t.regex(n8n.token, /^ilt_[\w-]{43}$/);
  await t.throwsAsync(createToken(pool, { label: 'boss', role: 'approver' }), {
    message: /can be viewer or operator, not "approver"/,
  });
  await t.throwsAsync(createToken(pool, { label: 'N8N', role: 'viewer' }), { message: /already labelled "N8N"/ });
  await t.throwsAsync(createToken(pool, { label: 'x', person: 'nobody' }), { message: /no person named nobody/ });
  t.deepEqual(await findToken(pool, personal.token), { label: 'jana-script', person: 'jana', role: null });
  t.deepEqual(await findToken(pool, n8n.token), { label: 'n8n', person: null, role: 'operator' });
  t.is(await findToken(pool, 'ilt_guess'), null);
  const digests = (await pool.query<{ token_sha256: string }>('SELECT token_sha256 FROM api_tokens')).rows;
  t.false(digests.some((row) => row.token_sha256.includes(n8n.token)));
  t.deepEqual(
    (await listTokens(pool)).map((x) => x.label),
    ['jana-script', 'n8n'],
  );
  await revokeToken(pool, 'N8N');
  t.is(await findToken(pool, n8n.token), null);
  await t.throwsAsync(revokeToken(pool, 'n8n'), { message: /no live token labelled "n8n"/ });
  t.truthy((await createToken(pool, { label: 'n8n', role: 'operator' })).token, 'a revoked label can be used again');
});
