import test from 'ava';
import { noticeFromLog } from '../../src/alerts/logNotices.ts';
import { numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';
import { cookieHeader, PASSWORD, signIn, startConsoleApp } from './consoleApp.ts';

test('sign in, the cookie, /api/me, CSRF on every change made with the cookie, sign out', async (t) => {
  const app = await startConsoleApp(t);
  const response = await fetch(app.url('/api/session'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Olga', password: PASSWORD }),
  });
  t.is(response.status, 200);
  const session = response.headers.getSetCookie().find((c) => c.startsWith('il_session='))!;
  t.regex(session, /; HttpOnly/i);
  t.regex(session, /; SameSite=Strict/i);
  t.notRegex(session, /; Secure/i, 'plain HTTP on 127.0.0.1: a Secure cookie would never come back');
  const body = (await response.json()) as { name: string; role: string; csrf_token: string };
  t.like(body, { name: 'olga', role: 'operator' });
  const cookie = cookieHeader(response);

  const me = await fetch(app.url('/api/me'), { headers: { cookie } });
  t.like(await me.json(), { kind: 'person', name: 'olga', display_name: 'OLGA', role: 'operator' });

  const review = await stageInvoice(app.pool, numberedInvoice(1), 'needs_review');
  const reject = (headers: Record<string, string>) =>
    fetch(app.url(`/api/invoices/${review}/reject`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: JSON.stringify({ reason: 'not ours', approver: 'someone else' }),
    });
  const withoutCsrf = await reject({});
  t.is(withoutCsrf.status, 403, 'a change with the cookie and no CSRF token is refused');
  t.is((await reject({ 'x-csrf-token': 'forged' })).status, 403);
  t.is((await statusOf(app.pool, review)).status, 'needs_review');
  const done = await reject({ 'x-csrf-token': body.csrf_token });
  t.is(done.status, 200, await done.clone().text());
  t.like(await statusOf(app.pool, review), { status: 'rejected', status_reason: 'rejected by olga: not ours' });
  const event = (
    await app.pool.query<{ actor: string }>(
      'SELECT actor FROM invoice_events WHERE invoice_id = $1 ORDER BY seq DESC LIMIT 1',
      [review],
    )
  ).rows[0]!;
  t.is(event.actor, 'olga', 'the signed-in person, not the name in the body');

  t.is(
    (await fetch(app.url('/api/session'), { method: 'DELETE', headers: { cookie } })).status,
    403,
    'sign-out is a change too',
  );
  const out = await fetch(app.url('/api/session'), {
    method: 'DELETE',
    headers: { cookie, 'x-csrf-token': body.csrf_token },
  });
  t.is(out.status, 200);
  t.is((await fetch(app.url('/api/me'), { headers: { cookie } })).status, 401, 'the session is gone on the server');
});

test('the session ends after the idle timeout (console.idleTimeoutMinutes)', async (t) => {
  const app = await startConsoleApp(t, { idleTimeoutMinutes: 60 });
  const { cookie } = await signIn(app, 'vera');
  t.is((await fetch(app.url('/api/me'), { headers: { cookie } })).status, 200);
  await app.pool.query("UPDATE console_sessions SET last_seen_at = now() - interval '59 minutes'");
  t.is((await fetch(app.url('/api/me'), { headers: { cookie } })).status, 200, 'still within the hour');
  await app.pool.query("UPDATE console_sessions SET last_seen_at = now() - interval '61 minutes'");
  const expired = await fetch(app.url('/api/me'), { headers: { cookie } });
  t.is(expired.status, 401);
  t.like(await expired.json(), { error: { code: 'AUTH_INVALID' } });
});

test('a token request needs no CSRF token, and a token never falls back to the cookie', async (t) => {
  const app = await startConsoleApp(t);
  const { cookie } = await signIn(app, 'adam');
  const dead = await stageInvoice(app.pool, numberedInvoice(2), 'dead_letter');
  const replay = await fetch(app.url(`/api/dlq/${dead}/replay`), {
    method: 'POST',
    headers: { 'x-api-key': app.tokens.integration },
  });
  t.is(replay.status, 200);
  const actor = (
    await app.pool.query<{ actor: string }>(
      'SELECT actor FROM invoice_events WHERE invoice_id = $1 ORDER BY seq DESC LIMIT 1',
      [dead],
    )
  ).rows[0]!.actor;
  t.is(actor, 'token:n8n');
  const wrongToken = await fetch(app.url('/api/me'), { headers: { cookie, authorization: 'Bearer ilt_wrong' } });
  t.is(wrongToken.status, 401);
});

test('repeated wrong passwords lock the person out (logged); the right password then waits too', async (t) => {
  const app = await startConsoleApp(t, { lockoutAfterFailures: 3, lockoutMinutes: 15 });
  const attempt = (password: string) =>
    fetch(app.url('/api/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'anna', password }),
    });
  for (let i = 1; i <= 2; i += 1) {
    const wrong = await attempt(`wrong-${i}`);
    t.is(wrong.status, 401);
    t.like(await wrong.json(), { error: { code: 'SIGN_IN_FAILED' } });
  }
  const third = await attempt('wrong-3');
  t.is(third.status, 429, 'the attempt that locks says so');
  const locked = await attempt(PASSWORD);
  t.is(locked.status, 429);
  t.like(await locked.json(), { error: { code: 'SIGN_IN_LOCKED' } });
  const logged = app.logs.find((entry) => entry.msg === 'sign-in locked after repeated wrong passwords');
  t.like(logged, { person: 'anna', why: 'wrong_password', level: 40, code: 'SIGN_IN_LOCKED' });
  t.like(noticeFromLog('warn', logged!, String(logged!.msg), 0), {
    condition: 'sign_in_lockout',
    component: 'anna',
    severity: 'warning',
  });
  t.is(
    app.logs.filter((entry) => entry.code === 'SIGN_IN_LOCKED').length,
    1,
    'the attempts refused during the lockout are not alerts again',
  );
  t.false(JSON.stringify(app.logs).includes('wrong-1'), 'passwords are never logged');
  t.is((await attempt(PASSWORD)).status, 429);
  t.is(
    (await fetch(app.url('/api/me'), { headers: { authorization: `Bearer ${app.tokens.approver}` } })).status,
    200,
    'her token still works',
  );
});

test('sign-in is rate-limited per client address', async (t) => {
  const app = await startConsoleApp(t, { signInPerMinute: 3 });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 4; i += 1) {
    last = await fetch(app.url('/api/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nobody', password: 'whatever-it-is' }),
    });
    statuses.push(last.status);
  }
  t.deepEqual(statuses, [401, 401, 401, 429]);
  t.like(await last!.json(), { error: { code: 'SIGN_IN_RATE_LIMITED' } });
  t.true(Number(last!.headers.get('retry-after')) >= 1);
  t.truthy(app.logs.find((entry) => entry.code === 'SIGN_IN_RATE_LIMITED'));
});

test('the sign-in form posts name and password and is sent on to the console', async (t) => {
  const app = await startConsoleApp(t);
  const form = (password: string) =>
    fetch(app.url('/api/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'vera', password }).toString(),
      redirect: 'manual',
    });
  const failed = await form('nope-nope-nope');
  t.is(failed.status, 303);
  t.is(failed.headers.get('location'), '/?signin=failed');
  const ok = await form(PASSWORD);
  t.is(ok.status, 303);
  t.is(ok.headers.get('location'), '/');
  t.is((await fetch(app.url('/api/me'), { headers: { cookie: cookieHeader(ok) } })).status, 200);
});
