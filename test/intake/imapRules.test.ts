import test from 'ava';
import { imapConfigSchema, isLoopbackHost, mailRuleSchema } from '../../src/config/imapSchema.ts';
import {
  CATCH_ALL,
  chooseRule,
  documentName,
  emlName,
  filenameMatches,
  ruleFromHeaders,
  ruleTakesAttachment,
  senderAllowed,
  textMatches,
  type MailFacts,
} from '../../src/intake/imap/rules.ts';

const mail = (overrides: Partial<MailFacts> = {}): MailFacts => ({
  from: [{ name: 'Fakturácia', address: 'faktury@lidl.sk' }],
  to: [{ name: '', address: 'invoices@customer.sk' }],
  subject: 'Faktúra 2026-118',
  text: 'V prílohe posielame faktúru za november.',
  date: new Date('2026-11-20T10:00:00Z'),
  ...overrides,
});
const NOW = new Date('2026-11-22T10:00:00Z');
const rule = (fields: Record<string, unknown>) => mailRuleSchema.parse(fields);

test('text filters: a substring without wildcards, a whole-value wildcard with them; case-insensitive', (t) => {
  t.true(textMatches('faktúra', 'Faktúra 2026-118'));
  t.false(textMatches('dobropis', 'Faktúra 2026-118'));
  t.true(textMatches('Faktúra*', 'faktúra 2026-118'));
  t.false(textMatches('2026*', 'Faktúra 2026-118'), 'a wildcard covers the whole value');
  t.true(textMatches('*2026-1?8', 'Faktúra 2026-118'));
  t.true(textMatches('a.b', 'xa.bx'), 'regex characters are literal');
  t.false(textMatches('a.b*', 'axb'));
});

test('attachment filters: comma-separated wildcards over the file name', (t) => {
  t.true(filenameMatches('*.pdf, *.xml', 'Invoice.PDF'));
  t.true(filenameMatches('*.pdf, *.xml', 'invoice.xml'));
  t.false(filenameMatches('*.pdf, *.xml', 'invoice.pdf.exe'));
  const pdfsButNoReminders = rule({ name: 'r', attachmentInclude: '*.pdf', attachmentExclude: 'reminder*, *copy*' });
  t.true(ruleTakesAttachment(pdfsButNoReminders, 'faktura.pdf'));
  t.false(ruleTakesAttachment(pdfsButNoReminders, 'reminder-3.pdf'));
  t.false(ruleTakesAttachment(pdfsButNoReminders, 'faktura (copy).pdf'));
  t.false(ruleTakesAttachment(pdfsButNoReminders, 'faktura.xml'));
});

test('rules in order, first match wins, the catch-all when none matches', (t) => {
  const rules = [
    rule({ name: 'lidl pdf', from: '*@lidl.sk', subject: 'faktúra' }),
    rule({ name: 'to accounting', to: 'accounting@*' }),
    rule({ name: 'body', body: 'dobropis' }),
  ];
  t.is(chooseRule(rules, mail(), NOW).name, 'lidl pdf');
  t.is(chooseRule(rules, mail({ from: [{ name: 'X', address: 'x@marso.sk' }] }), NOW), CATCH_ALL);
  t.is(
    chooseRule(
      rules,
      mail({ from: [{ name: 'X', address: 'x@marso.sk' }], to: [{ name: '', address: 'accounting@customer.sk' }] }),
      NOW,
    ).name,
    'to accounting',
  );
  t.is(chooseRule(rules, mail({ from: [], text: 'Posielame DOBROPIS' }), NOW).name, 'body');
  t.is(chooseRule([], mail(), NOW), CATCH_ALL);
  t.is(CATCH_ALL.consume, 'attachments');
});

test('the rule decided by the headers alone (while attachments stream by) agrees with the one chosen at the end', (t) => {
  const { text: _text, ...headers } = mail();
  const lidl = rule({ name: 'lidl', from: '*@lidl.sk', attachmentInclude: '*.pdf' });
  const byBody = rule({ name: 'credit notes', body: 'dobropis' });
  const other = rule({ name: 'marso', from: '*@marso.sk', body: 'dobropis' });
  t.is(ruleFromHeaders([lidl, byBody], headers, NOW), lidl);
  t.is(ruleFromHeaders([byBody, lidl], headers, NOW), undefined, 'a body filter first: known only at the end');
  t.is(ruleFromHeaders([other, lidl], headers, NOW), lidl, 'a body rule whose headers already fail is passed over');
  t.is(ruleFromHeaders([other], headers, NOW), CATCH_ALL);
  t.is(ruleFromHeaders([], headers, NOW), CATCH_ALL);
  for (const rules of [[lidl, byBody], [other, lidl], [other], []]) {
    t.is(ruleFromHeaders(rules, headers, NOW), chooseRule(rules, mail(), NOW));
  }
});

test('from matches the address or the display name', (t) => {
  t.is(chooseRule([rule({ name: 'n', from: 'fakturácia' })], mail(), NOW).name, 'n');
  t.is(chooseRule([rule({ name: 'n', from: 'Fakturácia <faktury@lidl.sk>' })], mail(), NOW).name, 'n');
});

test('maximum age: older mail does not match the rule', (t) => {
  const recent = rule({ name: 'recent', maxAgeDays: 3 });
  t.is(chooseRule([recent], mail(), NOW).name, 'recent');
  t.is(chooseRule([recent], mail({ date: new Date('2026-11-01T00:00:00Z') }), NOW), CATCH_ALL);
});

test('sender whitelist: empty lets everyone in; wildcards on the address', (t) => {
  const from = mail().from;
  t.true(senderAllowed([], from));
  t.true(senderAllowed(['*@lidl.sk'], from));
  t.true(senderAllowed(['FAKTURY@lidl.sk'], from));
  t.false(senderAllowed(['*@marso.sk'], from));
  t.false(senderAllowed(['*@lidl.sk'], []), 'no sender at all is not whitelisted');
  t.false(senderAllowed(['*@lidl.sk'], [{ name: 'faktury@lidl.sk', address: 'evil@attacker.test' }]), 'not by name');
});

test('document names: accepted extensions, or a PDF/XML by its declared type; nothing else', (t) => {
  t.is(documentName('Faktúra.PDF', 'application/octet-stream', 0), 'Faktúra.PDF');
  t.is(documentName(undefined, 'application/pdf', 2), 'attachment-3.pdf');
  t.is(documentName('scan', 'application/pdf', 0), 'scan.pdf');
  t.is(documentName('e-faktura', 'text/xml', 0), 'e-faktura.xml');
  t.is(documentName('logo.png', 'image/png', 0), null);
  t.is(documentName('letter.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 0), null);
  t.is(emlName('Re: Faktúra 12/2026 <urgent>'), 'Re Faktúra 12 2026 urgent.eml');
  t.is(emlName(''), 'mail.eml');
});

const base = {
  enabled: true,
  host: 'imap.example.sk',
  port: 0,
  security: 'tls',
  caFile: '',
  user: 'invoices',
  password: 'x',
  accessToken: '',
  mailbox: 'INBOX',
  idle: true,
  pollMs: 60_000,
  connectTimeoutMs: 30_000,
  reconnect: { minMs: 1_000, maxMs: 300_000, jitter: 0.2 },
  maxAttachmentMb: 25,
  maxMailMb: 50,
  maxMailAttempts: 5,
  concurrency: 8,
  allowedSenders: [],
  folders: { processed: 'Processed', rejected: 'Rejected', unrecognized: 'Unrecognized' },
  postAction: 'move',
  keyword: 'InvoiceLoaded',
  rules: [],
};

test('config: plain is refused unless the server is on loopback; folders must differ from the mailbox', (t) => {
  t.true(imapConfigSchema.safeParse(base).success);
  const plainRemote = imapConfigSchema.safeParse({ ...base, security: 'plain' });
  t.false(plainRemote.success);
  t.regex(plainRemote.error!.issues[0]!.message, /plain \(no TLS\) is only allowed for a server on this machine/);
  for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
    t.true(isLoopbackHost(host), host);
    t.true(imapConfigSchema.safeParse({ ...base, host, security: 'plain' }).success, host);
  }
  t.false(isLoopbackHost('128.0.0.1'));
  t.false(isLoopbackHost('localhost.attacker.test'));
  t.false(imapConfigSchema.safeParse({ ...base, folders: { ...base.folders, processed: 'INBOX' } }).success);
  t.false(imapConfigSchema.safeParse({ ...base, keyword: 'two words' }).success);
  t.false(imapConfigSchema.safeParse({ ...base, maxMailAttempts: 0 }).success, 'at least one attempt');
  t.false(imapConfigSchema.safeParse({ ...base, maxMailMb: 0 }).success);
  t.true(imapConfigSchema.safeParse({ ...base, enabled: false, host: '', user: '' }).success, 'off: nothing required');
});
