import test from 'ava';
import { createTestDatabase } from '../support/database.ts';
import { startDaemonProcess } from '../support/daemonProcess.ts';
import { pdfBytes } from '../support/fixtures.ts';

// The probe of issue 17 against the real daemon: the router decodes `%61` to `a`, so a check
// on the raw URL's text let these through without the token.
test('percent-encoded paths reach no invoice, actor, dead letter, health or metrics without the token', async (t) => {
  const daemon = await startDaemonProcess(t, {
    databaseUrl: await createTestDatabase(t),
    config: { http: { openHealth: false, openMetrics: false } },
  });
  await daemon.waitForStatus('/health/ready', 200);
  const secret = pdfBytes('secret');
  const upload = await daemon.request('/api/invoices', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file_b64: secret.toString('base64'), filename: 'secret.pdf' }),
  });
  t.is(upload.status, 201);
  const { invoice_id: id } = (await upload.json()) as { invoice_id: string };

  const probes = [
    '/%61pi/invoices',
    `/%61pi/invoices/${id}`,
    `/%61pi/invoices/${id}/document`,
    '/%61pi/actors',
    '/%61pi/dlq',
    '/%61pi/inspect/stream',
    '/%61%70%69/invoices',
    '/api/%69nvoices',
    '/%68ealth',
    '/%68ealth/live',
    '/health/%72eady',
    '/%6detrics',
  ];
  for (const path of probes) {
    const refused = await daemon.request(path, { token: null });
    t.is(refused.status, 401, path);
    t.like(await refused.json(), { error: { code: 'AUTH_MISSING' } }, path);
  }
  // The same spellings with the token reach their routes: the check went with the route, not the text.
  const listed = await daemon.request('/%61pi/invoices');
  t.is(listed.status, 200);
  t.is(((await listed.json()) as { invoices: Array<{ id: string }> }).invoices[0]?.id, id);
  const document = await daemon.request(`/%61pi/invoices/${id}/document`);
  t.is(document.status, 200);
  t.deepEqual(Buffer.from(await document.arrayBuffer()), secret);
  t.is((await daemon.request('/%6detrics')).status, 200);
});
