import test from 'ava';
import { approvalsRequired, autoApproval } from '../../src/approval/approvalRules.ts';
import { approveInvoice, rejectInvoice } from '../../src/approval/decisions.ts';
import type { Identity } from '../../src/auth/identity.ts';
import type { Role } from '../../src/auth/roles.ts';
import { errorCode } from '../../src/errors.ts';
import { personIdentity } from '../support/identities.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

const rules = { autoApproveBelow: '1000', doubleApprovalAbove: '10000' };
const person = (name: string, role: Role = 'approver') => personIdentity(name, role);
const jana = person('jana');
const peter = person('peter');
const janaByToken = personIdentity('jana', 'approver', 'jana-laptop');

test('the rules approve a valid, fully matched invoice below 1000 and hold the rest with the reason', (t) => {
  const auto = (gross: string | null, matching: 'matched' | 'partial' | 'unavailable' | 'not_applicable' = 'matched') =>
    autoApproval({ gross, currency: 'EUR', matching }, rules);
  t.true(auto('999.99').approve);
  t.true(auto('183.43', 'not_applicable').approve, 'outbox mode has nothing to match against');
  t.false(auto('1000.00').approve, 'the threshold itself is not below it');
  t.regex(auto('1000.00').reason, /not below 1000 \(approval\.autoApproveBelow\)/);
  t.regex(auto('10000.01').reason, /two different people/);
  t.regex(auto('50', 'partial').reason, /not every line matched/);
  t.regex(auto('50', 'unavailable').reason, /matching was not possible/);
  t.regex(auto(null).reason, /no gross amount/);
  t.false(auto('-5000').approve, 'a credit note is measured by its size');
  t.is(approvalsRequired('10000.00', rules), 1);
  t.is(approvalsRequired('10000.01', rules), 2);
  t.is(approvalsRequired('-12000', rules), 2);
});

test('one approval is enough up to 10000; it is an event with who; approving again is a harmless no-op', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(1, { total_gross: '5000.00' }), 'validated');
  const first = await approveInvoice(pool, id, jana, rules);
  t.like(first, { changed: true, status: 'approved' });
  const again = await approveInvoice(pool, id, peter, rules);
  t.like(again, { changed: false, status: 'approved' });
  t.regex(again.message, /already approved; nothing to approve/);
  const last = (await eventsOf(pool, id)).at(-1)!;
  t.like(last, { from_status: 'validated', to_status: 'approved', reason: 'approved by jana', actor: 'jana' });
});

test('above 10000 two different people approve; the same person twice is refused, by session or by token', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(2, { total_gross: '12500.00' }), 'validated');
  const first = await approveInvoice(pool, id, jana, rules);
  t.like(first, { changed: true, status: 'validated' });
  t.regex(first.message, /1 of 2/);
  const same = await approveInvoice(pool, id, janaByToken, rules).catch((e: unknown) => e);
  t.is(errorCode(same), 'APPROVER_ALREADY_APPROVED');
  t.is((await statusOf(pool, id)).status, 'validated');
  const second = await approveInvoice(pool, id, peter, rules);
  t.like(second, { changed: true, status: 'approved' });
  const events = (await eventsOf(pool, id)).slice(-2);
  t.like(events[0], { to_status: 'validated', actor: 'jana' });
  t.like(events[1], { to_status: 'approved', reason: 'approved by jana and peter', actor: 'peter' });
});

test('what cannot be decided is refused with the reason; reject needs a reason and is recorded', async (t) => {
  const pool = await migratedPool(t);
  const review = await stageInvoice(pool, numberedInvoice(3), 'needs_review');
  const refused = await approveInvoice(pool, review, jana, rules).catch((e: unknown) => e);
  t.is(errorCode(refused), 'INVOICE_NOT_DECIDABLE');
  t.regex((refused as Error).message, /needs_review.*fix its problems first/);
  t.is(errorCode(await rejectInvoice(pool, review, jana, ' ').catch((e: unknown) => e)), 'REJECT_REASON_MISSING');
  const rejected = await rejectInvoice(pool, review, jana, 'ordered by mistake');
  t.like(rejected, { changed: true, status: 'rejected' });
  t.like((await eventsOf(pool, review)).at(-1), {
    to_status: 'rejected',
    reason: 'rejected by jana: ordered by mistake',
  });
  t.like(await rejectInvoice(pool, review, jana, 'again'), { changed: false });
  const posted = await stageInvoice(pool, numberedInvoice(4), 'posted');
  t.is(errorCode(await rejectInvoice(pool, posted, jana, 'late').catch((e: unknown) => e)), 'INVOICE_NOT_DECIDABLE');
  t.is(
    errorCode(await approveInvoice(pool, '00000000-0000-0000-0000-000000000000', jana, rules).catch((e: unknown) => e)),
    'INVOICE_NOT_FOUND',
  );
});

test('who may approve: an approver or admin, never an operator or an integration token; the CLI as its OS user', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(5, { total_gross: '12500.00' }), 'validated');
  const refuse = async (by: Identity) => errorCode(await approveInvoice(pool, id, by, rules).catch((e: unknown) => e));
  t.is(await refuse(person('olga', 'operator')), 'ROLE_MISSING');
  t.is(await refuse({ kind: 'integration', name: 'n8n', role: 'operator' }), 'APPROVER_NOT_A_PERSON');
  t.is(await refuse({ kind: 'integration', name: 'http.token', role: 'operator' }), 'APPROVER_NOT_A_PERSON');
  t.is(
    errorCode(await rejectInvoice(pool, id, person('vera', 'viewer'), 'no').catch((e: unknown) => e)),
    'ROLE_MISSING',
  );
  const cli = { kind: 'cli', name: 'cli:root', role: 'admin', label: 'Jana' } as const;
  t.like(await approveInvoice(pool, id, cli, rules), { status: 'validated' });
  t.is(await refuse({ ...cli, label: 'Peter' }), 'APPROVER_ALREADY_APPROVED', '--as is a label, not a second person');
  t.like(await approveInvoice(pool, id, person('admin', 'admin'), rules), { status: 'approved' });
  const events = (await eventsOf(pool, id)).slice(-2);
  t.like(events[0], { actor: 'cli:root (as Jana)' });
  t.like(events[1], { reason: 'approved by cli:root and admin', actor: 'admin' });
});

test('a person who corrected the money of an invoice cannot approve it; a correction of other fields does not matter', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(6, { total_gross: '12500.00' }), 'validated');
  const correct = (by: string, changes: Record<string, unknown>) =>
    pool.query(
      `INSERT INTO invoice_events (invoice_id, seq, from_status, to_status, reason, actor, details)
       SELECT $1, max(seq) + 1, 'validated', 'validated', 'corrected', $2, $3 FROM invoice_events WHERE invoice_id = $1`,
      [id, by, JSON.stringify({ kind: 'corrected', by, changes })],
    );
  await correct('peter', { due_date: { before: '2026-12-01', after: '2026-12-15' } });
  await correct('jana', { total_gross: { before: '12000.00', after: '12500.00' } });
  await correct('eva', { lines: { before: [], after: [{ line_number: 1 }] } });
  const refused = await approveInvoice(pool, id, jana, rules).catch((e: unknown) => e);
  t.is(errorCode(refused), 'APPROVER_CORRECTED');
  t.regex((refused as Error).message, /jana corrected total_gross of invoice .* cannot approve it/);
  t.is(errorCode(await approveInvoice(pool, id, person('eva'), rules).catch((e: unknown) => e)), 'APPROVER_CORRECTED');
  t.like(await approveInvoice(pool, id, peter, rules), { status: 'validated' }, 'a due date is not money');
  t.like(await approveInvoice(pool, id, person('ivan'), rules), { status: 'approved' });
});
