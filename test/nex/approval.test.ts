import test from 'ava';
import { approvalsRequired, autoApproval } from '../../src/approval/approvalRules.ts';
import { approveInvoice, rejectInvoice } from '../../src/approval/decisions.ts';
import { errorCode } from '../../src/errors.ts';
import { migratedPool } from '../support/migratedDatabase.ts';
import { eventsOf, numberedInvoice, stageInvoice, statusOf } from '../support/stagedInvoices.ts';

const rules = { autoApproveBelow: '1000', doubleApprovalAbove: '10000' };

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
  const first = await approveInvoice(pool, id, { name: 'Jana', via: 'cli' }, rules);
  t.like(first, { changed: true, status: 'approved' });
  const again = await approveInvoice(pool, id, { name: 'Peter', via: 'http' }, rules);
  t.like(again, { changed: false, status: 'approved' });
  t.regex(again.message, /already approved; nothing to approve/);
  const last = (await eventsOf(pool, id)).at(-1)!;
  t.like(last, { from_status: 'validated', to_status: 'approved', reason: 'approved by Jana', actor: 'Jana (cli)' });
});

test('above 10000 two different people approve; the same person twice is refused whatever the capitals', async (t) => {
  const pool = await migratedPool(t);
  const id = await stageInvoice(pool, numberedInvoice(2, { total_gross: '12500.00' }), 'validated');
  const first = await approveInvoice(pool, id, { name: 'Jana', via: 'cli' }, rules);
  t.like(first, { changed: true, status: 'validated' });
  t.regex(first.message, /1 of 2/);
  const same = await approveInvoice(pool, id, { name: ' jana ', via: 'http' }, rules).catch((e: unknown) => e);
  t.is(errorCode(same), 'APPROVER_ALREADY_APPROVED');
  t.is((await statusOf(pool, id)).status, 'validated');
  const second = await approveInvoice(pool, id, { name: 'Peter', via: 'http' }, rules);
  t.like(second, { changed: true, status: 'approved' });
  const events = (await eventsOf(pool, id)).slice(-2);
  t.like(events[0], { to_status: 'validated', actor: 'Jana (cli)' });
  t.like(events[1], { to_status: 'approved', reason: 'approved by Jana and Peter', actor: 'Peter (http)' });
});

test('what cannot be decided is refused with the reason; reject needs a reason and is recorded', async (t) => {
  const pool = await migratedPool(t);
  const review = await stageInvoice(pool, numberedInvoice(3), 'needs_review');
  const refused = await approveInvoice(pool, review, { name: 'Jana', via: 'cli' }, rules).catch((e: unknown) => e);
  t.is(errorCode(refused), 'INVOICE_NOT_DECIDABLE');
  t.regex((refused as Error).message, /needs_review.*fix its problems first/);
  t.is(
    errorCode(await approveInvoice(pool, review, { name: ' ', via: 'cli' }, rules).catch((e: unknown) => e)),
    'APPROVER_MISSING',
  );
  t.is(
    errorCode(await rejectInvoice(pool, review, { name: 'Jana', via: 'cli' }, ' ').catch((e: unknown) => e)),
    'REJECT_REASON_MISSING',
  );
  const rejected = await rejectInvoice(pool, review, { name: 'Jana', via: 'cli' }, 'ordered by mistake');
  t.like(rejected, { changed: true, status: 'rejected' });
  t.like((await eventsOf(pool, review)).at(-1), {
    to_status: 'rejected',
    reason: 'rejected by Jana: ordered by mistake',
  });
  t.like(await rejectInvoice(pool, review, { name: 'Jana', via: 'cli' }, 'again'), { changed: false });
  const posted = await stageInvoice(pool, numberedInvoice(4), 'posted');
  t.is(
    errorCode(await rejectInvoice(pool, posted, { name: 'Jana', via: 'cli' }, 'late').catch((e: unknown) => e)),
    'INVOICE_NOT_DECIDABLE',
  );
  t.is(
    errorCode(
      await approveInvoice(pool, '00000000-0000-0000-0000-000000000000', { name: 'J', via: 'cli' }, rules).catch(
        (e: unknown) => e,
      ),
    ),
    'INVOICE_NOT_FOUND',
  );
});
