import test from 'ava';
import type { ActorNode } from '../../src/runtime/actorTree.ts';
import type { HealthReport } from '../../src/runtime/health.ts';
import { waitedFor } from '../../src/console/invoiceTable.ts';
import { cookieHeader, signIn, startConsoleApp, type ConsoleApp } from '../auth/consoleApp.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

/**
 * The console's overview, work queue, dead letters and actors pages, read as a signed-in
 * person reads them (the real app over HTTP, a fresh database): the numbers they show are the
 * ones seeded here.
 */

async function getPage(app: ConsoleApp, cookie: string, path: string): Promise<{ html: string; cookie: string }> {
  const response = await fetch(app.url(path), { headers: { cookie }, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  // The page may set the CSRF secret's cookie; the next request carries it with the session's.
  const set = cookieHeader(response);
  return { html: await response.text(), cookie: set ? `${cookie}; ${set}` : cookie };
}

function rowsOf(html: string, tableId: string): string[] {
  const table = new RegExp(`<table[^>]*id="${tableId}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr data-[a-z]+="[^"]*">[\s\S]*?<\/tr>/g)].map((m) => m[0]);
}

function queueNumbers(html: string): string[] {
  const table = /<table class="invoices">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<a href="\/invoices\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
}

/** Moves an invoice's arrival to noon `daysAgo` days before today (the database's calendar). */
async function receivedDaysAgo(app: ConsoleApp, id: string, daysAgo: number, channel?: string): Promise<void> {
  await app.pool.query(
    `UPDATE invoices SET received_at = (current_date - $2::int) + interval '12 hours',
       channel = coalesce($3, channel) WHERE id = $1`,
    [id, daysAgo, channel ?? null],
  );
}

test('overview: 14 bars with the seeded counts per ISO day, intake per channel, NEX writer, backups, dead letters', async (t) => {
  const tree: ActorNode = {
    id: 'root',
    kind: 'supervisor',
    state: 'running',
    status: 'running',
    restarts: 0,
    since: null,
    lastError: null,
    children: [
      {
        id: 'mailbox',
        kind: 'worker',
        state: 'idle',
        status: 'running',
        restarts: 0,
        since: null,
        lastError: null,
        children: [],
      },
      {
        id: 'nexWriter',
        kind: 'worker',
        state: 'waiting',
        status: 'running',
        restarts: 2,
        since: null,
        lastError: 'gateway timed out',
        notes: { breaker: 'half_open' },
        children: [],
      },
    ],
  };
  const health: HealthReport = {
    status: 'warn',
    version: 'test',
    description: 'test',
    checks: {
      'backup:age': [{ status: 'pass', observedValue: '2026-12-05T23:30:00.000Z', time: '2026-12-06T08:00:00.000Z' }],
      'backup:drill': [
        {
          status: 'warn',
          observedValue: '2026-12-06T03:30:00.000Z',
          time: '2026-12-06T03:30:00.000Z',
          output: 'the last restore drill failed: row counts differ in invoices',
        },
      ],
    },
  };
  const app = await startConsoleApp(t, {}, {}, { tree: () => tree, health: () => health });
  const seeded: Array<[number, number, string]> = [
    [0, 3, 'email'],
    [1, 1, 'drop_folder'],
    [5, 2, 'http'],
    [13, 4, 'email'],
    [14, 6, 'email'], // a day before the chart starts: not drawn
  ];
  let n = 0;
  for (const [daysAgo, count, channel] of seeded) {
    for (let i = 0; i < count; i++) {
      const id = await stageInvoice(app.pool, numberedInvoice(++n), 'posted');
      await receivedDaysAgo(app, id, daysAgo, channel);
    }
  }
  const dead = await stageInvoice(app.pool, numberedInvoice(n + 1), 'dead_letter');
  await receivedDaysAgo(app, dead, 20, 'drop_folder');

  const { cookie } = await signIn(app, 'vera');
  const { html } = await getPage(app, cookie, '/?lang=en');

  const days = (
    await app.pool.query<{ day: string }>(
      "SELECT to_char(current_date - k, 'YYYY-MM-DD') AS day FROM generate_series(13, 0, -1) AS k",
    )
  ).rows.map((r) => r.day);
  const bars = [...html.matchAll(/<rect class="bar" data-label="([^"]+)" data-value="(\d+)"/g)].map((m) => [
    m[1],
    Number(m[2]),
  ]);
  const expected = days.map((day, index) => {
    const daysAgo = 13 - index;
    return [day, seeded.find(([ago]) => ago === daysAgo)?.[1] ?? 0];
  });
  t.deepEqual(bars, expected, 'one bar per day, oldest first, zero days included');
  t.regex(html, /<svg class="chart" role="img" aria-label="Invoices received in the last 14 days: [^"]*3"/);
  t.true(html.includes(`<title>${days[13]}: 3</title>`), 'each bar names its ISO day and count');

  const intake = rowsOf(html, 'intake');
  t.is(intake.length, 3, 'mailbox, drop folder and HTTP; no command-line import seen');
  t.regex(
    intake[0]!,
    /data-channel="email".*Mailbox.*running \(idle\).*<td>13<\/td>/s,
    '3 + 4 + the 6 older than the chart',
  );
  const newestMail = (
    await app.pool.query<{ at: string }>(
      `SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM invoices WHERE channel = 'email'`,
    )
  ).rows[0]!.at;
  t.true(intake[0]!.includes(`<time datetime="${newestMail}">`), 'the mailbox row shows its newest invoice');
  t.regex(intake[2]!, /data-channel="http".*unknown.*<td>2<\/td>/s, 'an actor the tree lacks is unknown');

  t.regex(html, /<table id="nex">.*running \(waiting\).*half-open.*gateway timed out/s);
  t.regex(html, /<table id="backups">.*2026-12-05T23:30:00.000Z.*2026-12-06T03:30:00.000Z<\/time> \(failed\)/s);
  t.regex(
    html,
    /<div class="banner warn" role="status"><strong>System health: warning<\/strong>.*the last restore drill failed/s,
  );
  t.regex(html, /<a href="\/dead-letters">Dead letters<\/a>: <strong id="dead-letter-count">1<\/strong>/);
  t.regex(html, /<a href="\/queue\?status=posted">Posted<\/a><\/td><td>16<\/td>/);
});

test('work queue: search by IČO, VAT id and number; wildcards match literally; supplier and date filters', async (t) => {
  const app = await startConsoleApp(t);
  const other = { ...numberedInvoice(1).supplier, name: 'Drevo 100% s.r.o.', ico: '47258411', vat_id: 'SK2023456789' };
  const mine = await stageInvoice(app.pool, numberedInvoice(1, { supplier: other }), 'needs_review');
  const waiting = await stageInvoice(app.pool, numberedInvoice(2), 'validated');
  await stageInvoice(app.pool, numberedInvoice(3), 'posted');
  const { cookie } = await signIn(app, 'vera');
  const numbers = async (query: string) => queueNumbers((await getPage(app, cookie, `/queue${query}`)).html);

  t.deepEqual(await numbers(''), ['FV2026-00001', 'FV2026-00002'], 'review and approval, not posted');
  t.deepEqual(await numbers('?q=4725841'), ['FV2026-00001'], 'part of the IČO');
  t.deepEqual(await numbers('?q=sk2023456'), ['FV2026-00001'], 'VAT id, any case');
  t.deepEqual(await numbers('?q=00002'), ['FV2026-00002'], 'invoice number');
  t.deepEqual(await numbers('?q=100%25'), ['FV2026-00001'], 'a literal % in the name');
  t.deepEqual(await numbers('?q=%25'), ['FV2026-00001'], '% alone matches only a name that has one');
  t.deepEqual(await numbers('?q=_'), [], '_ is no single-character wildcard');
  t.deepEqual(await numbers("?q='%20OR%201=1--"), [], 'text stays text');
  t.deepEqual(await numbers('?status=posted'), ['FV2026-00003']);
  t.deepEqual(await numbers('?supplier=47258411'), ['FV2026-00001']);

  await app.pool.query("UPDATE invoices SET received_at = '2026-11-02T10:00:00Z' WHERE id = $1", [mine]);
  t.deepEqual(await numbers('?from=2026-11-01&to=2026-11-02'), ['FV2026-00001'], 'both ends inclusive');
  t.deepEqual(await numbers('?from=2026-11-03&to=2026-11-30'), []);
  t.deepEqual(
    await numbers('?from=2026-02-30&sort=DROP&dir=sideways'),
    ['FV2026-00001', 'FV2026-00002'],
    'nonsense falls back to defaults',
  );

  await app.pool.query("UPDATE invoices SET received_at = now() - interval '2 days 3 hours 10 minutes' WHERE id = $1", [
    waiting,
  ]);
  t.regex(
    (await getPage(app, cookie, '/queue?q=00002')).html,
    /<td><span data-status="validated">Čaká na schválenie<\/span><\/td><td><time [^>]+>[^<]+<\/time><\/td><td>2 d 3 h<\/td>/,
  );

  const form = (await getPage(app, cookie, '/queue?q=4725841&sort=amount')).html;
  t.regex(form, /<form class="filters" method="get" action="\/queue">/);
  for (const name of ['status', 'supplier', 'from', 'to', 'q', 'sort', 'dir']) {
    t.regex(form, new RegExp(`<label>[^<]+ <(select|input)[^>]* name="${name}"`), `${name} has its label`);
  }
  t.regex(form, /name="q" value="4725841"/, 'the form keeps what was asked');
  t.regex(form, /<option value="amount" selected>/);
});

test('work queue: sort by amount both ways, by age oldest first; paging by 50 keeps the filters', async (t) => {
  const app = await startConsoleApp(t);
  const grosses = ['250.00', '12000.50', '999.99', '1000.00', '87.10'];
  for (const [index, gross] of grosses.entries()) {
    const id = await stageInvoice(app.pool, numberedInvoice(index + 1, { total_gross: gross }), 'needs_review');
    await receivedDaysAgo(app, id, 10 - index);
  }
  const { cookie } = await signIn(app, 'vera');
  const amounts = async (query: string) => {
    const html = (await getPage(app, cookie, `/queue${query}`)).html;
    return [...html.matchAll(/<span class="amount">([^<]*)<\/span>/g)].map((m) => m[1]);
  };
  t.deepEqual(await amounts('?sort=amount&dir=asc'), ['87.10', '250.00', '999.99', '1000.00', '12000.50']);
  t.deepEqual(await amounts('?sort=amount&dir=desc'), ['12000.50', '1000.00', '999.99', '250.00', '87.10']);
  t.deepEqual(await amounts('?sort=age'), grosses, 'oldest first');
  t.deepEqual(await amounts('?sort=age&dir=asc'), [...grosses].reverse());

  for (let n = 6; n <= 56; n++) await stageInvoice(app.pool, numberedInvoice(n), 'validated');
  const first = (await getPage(app, cookie, '/queue?q=FV2026&sort=amount&dir=asc')).html;
  t.is(queueNumbers(first).length, 50);
  t.regex(first, /<strong id="queue-total">56<\/strong> · Strana 1 \/ 2/);
  t.notRegex(first, /rel="prev"/);
  t.regex(first, /<a rel="next" href="\/queue\?q=FV2026&amp;sort=amount&amp;dir=asc&amp;page=2">/);
  const second = (await getPage(app, cookie, '/queue?q=FV2026&sort=amount&dir=asc&page=2')).html;
  t.is(queueNumbers(second).length, 6);
  t.is(new Set([...queueNumbers(first), ...queueNumbers(second)]).size, 56, 'no invoice on both pages');
  t.regex(second, /<a rel="prev" href="\/queue\?q=FV2026&amp;sort=amount&amp;dir=asc">/);
  t.notRegex(second, /rel="next"/);
  const beyond = (await getPage(app, cookie, '/queue?page=9')).html;
  t.deepEqual(queueNumbers(beyond), []);
  t.regex(beyond, /<a rel="prev" href="\/queue\?page=8">/, 'a page past the end still links back');
});

test('dead letters: a viewer sees them without buttons; an operator replays one, then all, as herself', async (t) => {
  const app = await startConsoleApp(t);
  const first = await stageInvoice(app.pool, numberedInvoice(1), 'dead_letter');
  const second = await stageInvoice(app.pool, numberedInvoice(2), 'dead_letter');
  await app.pool.query(
    "UPDATE invoices SET nex_attempts = 8, nex_last_error = 'NEX answered 503 <Service Unavailable>' WHERE id = $1",
    [first],
  );

  const viewer = await signIn(app, 'vera');
  const seen = (await getPage(app, viewer.cookie, '/dead-letters?lang=en')).html;
  const rows = rowsOf(seen, 'dead-letters');
  t.is(rows.length, 2);
  const row = rows.find((r) => r.includes(`data-id="${first}"`))!;
  t.true(row.includes(`<a href="/invoices/${first}">FV2026-00001</a>`));
  t.regex(row, /<td>8<\/td>/);
  t.true(row.includes('NEX answered 503 &lt;Service Unavailable&gt;'), 'the last error, escaped');
  t.notRegex(seen, /<form method="post" action="\/dead-letters/, 'no replay for a viewer');

  const olga = await signIn(app, 'olga');
  const page = await getPage(app, olga.cookie, '/dead-letters');
  t.regex(page.html, /<form method="post" action="\/dead-letters\/replay-all">/);
  const token = new RegExp(
    `action="/dead-letters/${first}/replay"><input type="hidden" name="_csrf" value="([^"]+)"`,
  ).exec(page.html)?.[1];
  t.truthy(token, 'each row has its replay form with the CSRF token');
  const post = (path: string, form: Record<string, string>) =>
    fetch(app.url(path), {
      method: 'POST',
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });

  t.is((await post(`/dead-letters/${first}/replay`, {})).status, 403, 'no CSRF token, no replay');
  t.is((await statusOf(app.pool, first)).status, 'dead_letter');
  const one = await post(`/dead-letters/${first}/replay`, { _csrf: token! });
  t.is(one.status, 303);
  t.is(one.headers.get('location'), '/dead-letters?replayed=1');
  t.like(await statusOf(app.pool, first), { status: 'approved', nex_attempts: 0 });
  t.is((await eventsOf(app.pool, first)).at(-1)!.actor, 'olga', 'the session, not a name in the form');
  const after = (await getPage(app, olga.cookie, '/dead-letters?replayed=1')).html;
  t.deepEqual(
    rowsOf(after, 'dead-letters').map((r) => /data-id="([^"]+)"/.exec(r)![1]),
    [second],
    'the replayed one left the list',
  );
  t.regex(after, /role="status">[^<]+: <strong>1<\/strong>/);

  const all = await post('/dead-letters/replay-all', { _csrf: token!, actor: 'somebody else' });
  t.is(all.headers.get('location'), '/dead-letters?replayed=1');
  t.is((await statusOf(app.pool, second)).status, 'approved');
  t.is((await eventsOf(app.pool, second)).at(-1)!.actor, 'olga');
  t.is((await post('/dead-letters/replay-all', { _csrf: token! })).headers.get('location'), '/dead-letters?replayed=0');
  const unknown = await post('/dead-letters/7d1f0c39-5a4e-4f7b-9d55-0f6f3c2b9a11/replay', { _csrf: token! });
  t.is(unknown.status, 404);
  t.like(await unknown.json(), { error: { code: 'INVOICE_NOT_FOUND' } });
  const vera = await post(`/dead-letters/${first}/replay`, { _csrf: viewer.csrf });
  t.is(vera.status, 403, 'a viewer cannot replay');
});

test('actors: the live tree as a table with every actor id, its state, restarts, error and breaker', async (t) => {
  const tree: ActorNode = {
    id: 'root',
    kind: 'supervisor',
    state: 'running',
    status: 'running',
    restarts: 0,
    since: null,
    lastError: null,
    children: [
      {
        id: 'pipeline',
        kind: 'supervisor',
        state: 'running',
        status: 'running',
        restarts: 1,
        since: '2026-12-06T08:00:00.000Z',
        lastError: null,
        children: [
          {
            id: 'nexWriter',
            kind: 'worker',
            state: 'working.backoff',
            status: 'running',
            restarts: 3,
            since: '2026-12-06T09:00:00.000Z',
            lastError: 'ECONNRESET <gateway>',
            notes: { breaker: 'open' },
            children: [],
          },
        ],
      },
      {
        id: 'heartbeat',
        kind: 'worker',
        state: 'idle',
        status: 'backoff',
        restarts: 0,
        since: null,
        lastError: null,
        children: [],
      },
    ],
  };
  const app = await startConsoleApp(t, {}, {}, { tree: () => tree });
  const { cookie } = await signIn(app, 'vera');
  const { html } = await getPage(app, cookie, '/actors');
  const rows = rowsOf(html, 'actors');
  t.deepEqual(
    rows.map((r) => /data-actor="([^"]+)"/.exec(r)![1]),
    ['root', 'pipeline', 'nexWriter', 'heartbeat'],
  );
  t.regex(
    rows[2]!,
    /padding-left:2.9rem">nexWriter<\/th><td>worker<\/td><td>working.backoff<\/td><td>running<\/td><td>3<\/td>/,
  );
  t.true(rows[2]!.includes('<td>ECONNRESET &lt;gateway&gt;</td><td>breaker: open</td>'));
  t.regex(rows[3]!, /<td>backoff<\/td>/);
  t.regex(
    html,
    /<script type="module">[\s\S]*new EventSource\('\/api\/inspect\/stream'\)/,
    'follows the inspector stream',
  );
  t.notRegex(html, /<script[^>]+src=/, 'no external script');
});

test('the age of a waiting invoice reads in two units', (t) => {
  t.is(waitedFor(59), '0 min');
  t.is(waitedFor(3599), '59 min');
  t.is(waitedFor(3600), '1 h 0 min');
  t.is(waitedFor(86_399), '23 h 59 min');
  t.is(waitedFor(86_400 + 7_260), '1 d 2 h');
  t.is(waitedFor(-5), '0 min', 'a clock a little ahead of the database is no negative age');
});
