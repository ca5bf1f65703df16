import test from 'ava';
import { signIn, startConsoleApp, type ConsoleApp } from '../auth/consoleApp.ts';

/**
 * The people and tokens pages, used as an admin uses them (the real app over HTTP, a fresh
 * database, plain form posts with the CSRF token): what a change does is checked where it
 * matters — the person signing in or not, a token answering /api/me or not.
 */

interface Browser {
  cookie: string;
  csrf: string;
}

async function getPage(app: ConsoleApp, browser: Browser, path: string): Promise<string> {
  const response = await fetch(app.url(path), { headers: { cookie: browser.cookie }, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.text();
}

function post(app: ConsoleApp, browser: Browser, path: string, form: Record<string, string>): Promise<Response> {
  return fetch(app.url(path), {
    method: 'POST',
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: browser.csrf, ...form }).toString(),
    redirect: 'manual',
  });
}

/** Posts a form and returns where the answer sends the browser. */
async function submit(app: ConsoleApp, browser: Browser, path: string, form: Record<string, string> = {}) {
  const response = await post(app, browser, path, form);
  if (response.status !== 303) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return response.headers.get('location');
}

async function signInStatus(app: ConsoleApp, name: string, password: string): Promise<number> {
  const response = await fetch(app.url('/api/session'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  return response.status;
}

function rowOf(html: string, attribute: string, value: string): string {
  return new RegExp(`<tr data-${attribute}="${value}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
}

const JANA_PASSWORD = 'jana-heslo-2026';

test('an admin adds a person who then signs in, changes her role, disables, enables and sets her password', async (t) => {
  const app = await startConsoleApp(t);
  const adam = await signIn(app, 'adam');

  const page = await getPage(app, adam, '/people');
  t.regex(page, /<html lang="sk">/, 'Slovak first');
  t.regex(page, /<a href="\/people">Ľudia<\/a><a href="\/tokens">Tokeny<\/a>/, 'the admin has the links');
  t.regex(
    page,
    /<form class="filters" id="add-person" method="post" action="\/people"><input type="hidden" name="_csrf"/,
  );
  for (const name of ['name', 'display_name', 'role', 'password']) {
    t.regex(page, new RegExp(`<label>[^<]+ <(input|select)[^>]* name="${name}"`), `${name} has its label`);
  }

  t.is(
    await submit(app, adam, '/people', {
      name: 'Jana',
      display_name: 'Jana Nováková',
      role: 'operator',
      password: JANA_PASSWORD,
    }),
    '/people?done=added&subject=jana',
  );
  const jana = await signIn(app, 'jana', JANA_PASSWORD);
  const me = await fetch(app.url('/api/me'), { headers: { cookie: jana.cookie } });
  t.like(await me.json(), { name: 'jana', display_name: 'Jana Nováková', role: 'operator' });
  const added = await getPage(app, adam, '/people?done=added&subject=jana');
  t.regex(added, /<p class="notice" role="status">Osoba pridaná: <strong>jana<\/strong><\/p>/);
  t.regex(rowOf(added, 'person', 'jana'), /<td>Jana Nováková<\/td>.*<option value="operator" selected>/s);
  t.is((await fetch(app.url('/people'), { headers: { cookie: jana.cookie } })).status, 403, 'an operator gets no page');

  t.is(await submit(app, adam, '/people/jana/role', { role: 'approver' }), '/people?done=role&subject=jana');
  t.is((await fetch(app.url('/api/me'), { headers: { cookie: jana.cookie } })).status, 401, 'her session ended');
  const approver = await signIn(app, 'jana', JANA_PASSWORD);
  t.like(await (await fetch(app.url('/api/me'), { headers: { cookie: approver.cookie } })).json(), {
    role: 'approver',
  });
  t.is(await submit(app, adam, '/people/jana/role', { role: 'approver' }), '/people?done=unchanged&subject=jana');
  t.is(
    (await fetch(app.url('/api/me'), { headers: { cookie: approver.cookie } })).status,
    200,
    'the same role again signs nobody out',
  );

  t.is(await submit(app, adam, '/people/jana/disable'), '/people?done=disabled&subject=jana');
  t.is(await signInStatus(app, 'jana', JANA_PASSWORD), 401, 'a disabled person cannot sign in');
  t.regex(rowOf(await getPage(app, adam, '/people'), 'person', 'jana'), /<td>áno .*action="\/people\/jana\/enable"/s);
  t.is(await submit(app, adam, '/people/jana/enable'), '/people?done=enabled&subject=jana');
  t.is(await signInStatus(app, 'jana', JANA_PASSWORD), 200);

  await app.pool.query("UPDATE people SET locked_until = now() + interval '1 hour' WHERE name = 'jana'");
  t.is(await signInStatus(app, 'jana', JANA_PASSWORD), 429, 'locked out');
  const locked = (
    await app.pool.query<{ at: string }>(
      `SELECT to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM people WHERE name = 'jana'`,
    )
  ).rows[0]!.at;
  t.true(rowOf(await getPage(app, adam, '/people'), 'person', 'jana').includes(`<td><time datetime="${locked}">`));
  t.is(
    await submit(app, adam, '/people/jana/password', { password: 'nove-heslo-0001' }),
    '/people?done=password&subject=jana',
  );
  t.is(await signInStatus(app, 'jana', JANA_PASSWORD), 401, 'the old password no longer works');
  t.is(await signInStatus(app, 'jana', 'nove-heslo-0001'), 200, 'the new one does, and the lockout is lifted');
  await app.pool.query("UPDATE people SET locked_until = now() - interval '1 minute' WHERE name = 'olga'");
  t.regex(
    rowOf(await getPage(app, adam, '/people'), 'person', 'olga'),
    /<td>zatiaľ nikdy<\/td>\n<td><\/td>/,
    'a lockout that has run out is not shown',
  );

  const changes = app.logs.filter((line) => line.component === 'console' && line.by === 'adam');
  t.deepEqual(
    changes.map((line) => [line.msg, line.person]),
    [
      ['person added', 'jana'],
      ['person role changed', 'jana'],
      ['person disabled', 'jana'],
      ['person enabled', 'jana'],
      ['person password set', 'jana'],
    ],
    'every change is logged with who made it',
  );
  const logged = JSON.stringify(app.logs);
  t.false(logged.includes(JANA_PASSWORD) || logged.includes('nove-heslo-0001'), 'never a password in the log');
});

test('refusals come back as sentences: a short password, a taken name, an admin disabling or demoting herself', async (t) => {
  const app = await startConsoleApp(t);
  const adam = await signIn(app, 'adam');

  const short = await submit(app, adam, '/people', { name: 'ema', role: 'viewer', password: 'kratke' });
  t.is(short, '/people?refused=PASSWORD_TOO_SHORT&subject=ema');
  t.regex(
    await getPage(app, adam, short!),
    /role="alert" data-code="PASSWORD_TOO_SHORT">Zmena odmietnutá: <strong>ema<\/strong>. Heslo musí mať aspoň toľko znakov: 10.<\/p>/,
  );
  t.is((await app.pool.query("SELECT 1 FROM people WHERE name = 'ema'")).rowCount, 0);
  t.is(
    await submit(app, adam, '/people', { name: 'olga', role: 'viewer', password: JANA_PASSWORD }),
    '/people?refused=PERSON_EXISTS&subject=olga',
  );
  t.is(
    await submit(app, adam, '/people', { name: 'ema', role: 'boss', password: JANA_PASSWORD }),
    '/people?refused=ROLE_INVALID&subject=ema',
  );
  t.is(await submit(app, adam, '/people/nobody/disable'), '/people?refused=PERSON_NOT_FOUND&subject=nobody');

  const own = rowOf(await getPage(app, adam, '/people'), 'person', 'adam');
  t.regex(own, /adam \(vy\)/);
  t.notRegex(own, /action="\/people\/adam\/(disable|role)"/, 'no form that would be refused');
  t.is(await submit(app, adam, '/people/adam/disable'), '/people?refused=PERSON_SELF_DISABLE&subject=adam');
  t.is(
    await submit(app, adam, '/people/adam/role', { role: 'approver' }),
    '/people?refused=PERSON_SELF_DEMOTE&subject=adam',
  );
  const english = await getPage(app, adam, '/people?lang=en&refused=PERSON_SELF_DISABLE&subject=adam');
  t.regex(english, /You cannot disable yourself: the console could lose its last admin\. Ask another admin\./);
  t.like((await app.pool.query("SELECT role, disabled FROM people WHERE name = 'adam'")).rows[0], {
    role: 'admin',
    disabled: false,
  });
  t.is((await fetch(app.url('/api/me'), { headers: { cookie: adam.cookie } })).status, 200, 'still signed in');
  t.regex(
    await getPage(app, adam, '/people?done=constructor&refused=toString'),
    /role="alert" data-code="toString">Zmena odmietnutá\.<\/p>/,
    'an unknown code reads as a plain refusal',
  );

  t.is((await post(app, { ...adam, csrf: 'forged' }, '/people/olga/disable', {})).status, 403, 'no CSRF, no change');
  t.is((await app.pool.query("SELECT disabled FROM people WHERE name = 'olga'")).rows[0]!.disabled, false);

  t.is(
    await submit(app, adam, '/people/adam/password', { password: 'adam-nove-heslo' }),
    '/',
    'own password: signed out',
  );
  t.is((await fetch(app.url('/api/me'), { headers: { cookie: adam.cookie } })).status, 401);
});

test('a token created on the page is shown once, authenticates against /api/me, and stops at revoke', async (t) => {
  const app = await startConsoleApp(t);
  const adam = await signIn(app, 'adam');
  const page = await getPage(app, adam, '/tokens?lang=en');
  t.regex(rowOf(page, 'token', 'n8n'), /<td>integration \(belongs to nobody\): operator<\/td>/);
  t.regex(rowOf(page, 'token', 'olga-token'), /<td>olga<\/td>.*<td>never yet<\/td>/s);
  t.notRegex(page.replace(/<select name="role">[\s\S]*?<\/select>/, ''), /value="approver"/);
  t.regex(
    page,
    /<select name="role"><option value="viewer">viewer \(viewer\)<\/option><option value="operator" selected>/,
  );

  const created = await post(app, adam, '/tokens', { label: 'olga-laptop', person: 'olga' });
  t.is(created.status, 200);
  t.is(created.headers.get('cache-control'), 'no-store');
  const html = await created.text();
  const token = /<input id="new-token" readonly size="60" value="(ilt_[A-Za-z0-9_-]+)">/.exec(html)?.[1];
  t.truthy(token, 'the token is on the page');
  t.regex(html, /role="alert">Token sa zobrazuje iba teraz a už nikdy znova/);
  const me = await fetch(app.url('/api/me'), { headers: { authorization: `Bearer ${token}` } });
  t.like(await me.json(), { kind: 'person', name: 'olga', role: 'operator' });

  const listed = await getPage(app, adam, '/tokens');
  t.false(listed.includes(token!), 'the list never shows the token');
  t.regex(rowOf(listed, 'token', 'olga-laptop'), /<td>olga<\/td>.*<time datetime="[^"]+">/s);
  t.false(JSON.stringify(app.logs).includes(token!), 'nor does the log');
  t.like(
    app.logs.find((line) => line.msg === 'token created'),
    { by: 'adam', label: 'olga-laptop', person: 'olga' },
  );

  const integration = await post(app, adam, '/tokens', { label: 'scanner', role: 'viewer' });
  const scanner = /value="(ilt_[^"]+)"/.exec(await integration.text())?.[1];
  t.like(await (await fetch(app.url('/api/me'), { headers: { 'x-api-key': scanner! } })).json(), {
    kind: 'integration',
    role: 'viewer',
  });
  t.is(
    await submit(app, adam, '/tokens', { label: 'approving-bot', role: 'approver' }),
    '/tokens?refused=TOKEN_ROLE_INVALID&subject=approving-bot',
  );
  t.is(
    await submit(app, adam, '/tokens', { label: 'both', person: 'olga', role: 'viewer' }),
    '/tokens?refused=TOKEN_OWNER&subject=both',
  );
  t.is(
    await submit(app, adam, '/tokens', { label: 'OLGA-laptop', person: 'olga' }),
    '/tokens?refused=TOKEN_LABEL_TAKEN&subject=OLGA-laptop',
  );

  t.is(await submit(app, adam, '/tokens/revoke', { label: 'olga-laptop' }), '/tokens?done=revoked&subject=olga-laptop');
  t.is((await fetch(app.url('/api/me'), { headers: { authorization: `Bearer ${token}` } })).status, 401);
  const after = await getPage(app, adam, '/tokens');
  t.regex(rowOf(after, 'token', 'olga-laptop'), /class="revoked"/, 'the revoked token stays on the record');
  t.notRegex(rowOf(after, 'token', 'olga-laptop'), /<form/, 'with nothing left to revoke');
  t.is(
    await submit(app, adam, '/tokens/revoke', { label: 'olga-laptop' }),
    '/tokens?refused=TOKEN_NOT_FOUND&subject=olga-laptop',
  );
});

test('a viewer, an operator and an approver get 403 on every people and tokens route, and no links to them', async (t) => {
  const app = await startConsoleApp(t);
  const routes = app
    .routeAccess()
    .filter((route) => /^\/(people|tokens)/.test(route.url) && route.method !== 'HEAD')
    .map((route) => `${route.method} ${route.url}`)
    .sort();
  t.deepEqual(routes, [
    'GET /people',
    'GET /tokens',
    'POST /people',
    'POST /people/:name/disable',
    'POST /people/:name/enable',
    'POST /people/:name/password',
    'POST /people/:name/role',
    'POST /tokens',
    'POST /tokens/revoke',
  ]);
  for (const name of ['vera', 'olga', 'anna']) {
    const browser = await signIn(app, name);
    t.notRegex(await getPage(app, browser, '/'), /href="\/(people|tokens)"/, `${name} sees no admin links`);
    for (const route of routes) {
      const [method, url] = route.split(' ') as [string, string];
      const path = url.replace(':name', 'vera');
      const response =
        method === 'GET'
          ? await fetch(app.url(path), { headers: { cookie: browser.cookie }, redirect: 'manual' })
          : await post(app, browser, path, { name: 'x', role: 'admin', password: 'x'.repeat(12), label: 'x' });
      t.is(response.status, 403, `${route} for ${name}`);
    }
  }
  t.like((await app.pool.query("SELECT role, disabled FROM people WHERE name = 'vera'")).rows[0], {
    role: 'viewer',
    disabled: false,
  });
  t.is((await app.pool.query("SELECT 1 FROM people WHERE name = 'x'")).rowCount, 0);
});
