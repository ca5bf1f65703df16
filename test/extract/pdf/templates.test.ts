import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { LoaderError } from '../../../src/errors.ts';
import { pdfTextOf } from '../../../src/extract/pdf/pdfText.ts';
import { shippedTemplateDir } from '../../../src/extract/shippedTemplates.ts';
import { chooseTemplate, extractWithTemplates, loadTemplates } from '../../../src/extract/templates/index.ts';
import { tempDir } from '../../support/tempDir.ts';

/** A folder holding the given YAML files. */
function templateDir(t: Parameters<typeof tempDir>[0], files: Record<string, string>): string {
  const dir = path.join(tempDir(t), 'templates');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const text = (...lines: string[]) => pdfTextOf([{ lines }]);

test('the shipped templates load: L&Š, MARSO and the generic fallback', (t) => {
  const templates = loadTemplates([shippedTemplateDir]);
  t.deepEqual(templates.map((template) => template.id).sort(), ['generic', 'ls', 'marso']);
  t.true(templates.find((template) => template.id === 'generic')!.fallback);
});

test('a template error names the file and the key', (t) => {
  const dir = templateDir(t, {
    'supplier.yaml': [
      'id: supplier',
      'match: { all: [00151653] }',
      'fields:',
      '  issue_date:',
      '    type: datum',
      "    patterns: ['Dátum{gap}({date})']",
    ].join('\n'),
  });
  const error = t.throws(() => loadTemplates([dir]), { instanceOf: LoaderError });
  t.is(error.code, 'TEMPLATE_INVALID');
  t.true(error.message.includes(path.join(dir, 'supplier.yaml')));
  t.true(error.message.includes('fields.issue_date.type'));
  t.deepEqual(
    (error.details?.problems as { file: string; key: string }[]).map(({ file, key }) => ({ file, key })),
    [{ file: path.join(dir, 'supplier.yaml'), key: 'fields.issue_date.type' }],
  );
});

test('the problems of all files are reported at once: typos, bad regexes, unknown macros and groups, YAML syntax', (t) => {
  const dir = templateDir(t, {
    'a.yaml': 'id: a\nmatch: { all: [x] }\nfeilds: {}\n',
    'b.yaml': "id: b\nmatch: { all: [x] }\nfields:\n  invoice_number: ['Faktúra({docno}', 'Číslo{gap}({numbr})']\n",
    'c.yaml': "id: c\nmatch: { all: [x] }\nlines:\n  item: '^(?<line_number>\\d+) (?<price>\\S+)'\n",
    'd.yaml': 'id: d\nmatch: { all: [x]\n',
    'e.yaml': "id: e\nfields:\n  invoice_number: 'Faktúra ({docno})'\n",
  });
  const error = t.throws(() => loadTemplates([dir]), { instanceOf: LoaderError });
  const problems = (error.details?.problems as { file: string; key: string }[]).map(
    ({ file, key }) => `${path.basename(file)} ${key}`,
  );
  t.deepEqual(problems.sort(), [
    'a.yaml feilds',
    'b.yaml fields.invoice_number.patterns[0]',
    'c.yaml lines.item',
    'd.yaml (yaml)',
    'e.yaml match',
  ]);
});

test('a missing template folder is reported, not ignored', (t) => {
  const missing = path.join(tempDir(t), 'no-such-folder');
  const error = t.throws(() => loadTemplates([missing]), { instanceOf: LoaderError });
  t.true(error.message.includes(missing));
});

test('a user template extends the generic one, redefining only what differs, and a later folder wins', (t) => {
  const user = templateDir(t, {
    'stavmat.yaml': [
      'id: stavmat',
      'extends: generic',
      'priority: 50',
      "match: { all: ['31 411 801'] }",
      'fields:',
      "  order_reference: ['Zákazka{gap}({docno})']",
    ].join('\n'),
    'generic.yaml': "id: generic\nfallback: true\nfields:\n  invoice_number: ['Doklad{gap}({docno})']\n",
  });
  const templates = loadTemplates([shippedTemplateDir, user]);
  const document = text('Faktúra č. 2025/7', 'IČO: 31411801', 'Zákazka: Z-17', 'Doklad: D-1');
  const { invoice, template } = extractWithTemplates(document, templates);
  t.is(template, 'stavmat');
  t.is(invoice.order_reference, 'Z-17');
  // "extends" took the generic template of the later folder, which reads "Doklad", not "Faktúra č.".
  t.is(invoice.invoice_number, 'D-1');
  t.is(invoice.source.template, 'stavmat');
});

test('the matching template with the highest priority wins; exclusions rule a template out; else the fallback', (t) => {
  const dir = templateDir(t, {
    'any.yaml': 'id: any\nfallback: true\nfields: { currency: { default: EUR } }\n',
    'low.yaml': "id: low\npriority: 1\nmatch: { all: ['36555720'] }\nfields: { currency: { default: CZK } }\n",
    'high.yaml':
      "id: high\npriority: 9\nmatch: { all: ['36555720'], exclude: [DOBROPIS] }\nfields: { currency: { default: HUF } }\n",
  });
  const templates = loadTemplates([dir]);
  t.is(chooseTemplate('IČO: 36 555 720', templates).id, 'high'); // spaces in the number do not matter
  t.is(chooseTemplate('DOBROPIS  IČO: 36555720', templates).id, 'low');
  t.is(chooseTemplate('IČO: 99999999', templates).id, 'any');
});

test('an identification number written without quotes keeps its leading zeros as a keyword', (t) => {
  const dir = templateDir(t, {
    'state.yaml': 'id: state\nmatch: { all: [00151653] }\nfields: { currency: { default: EUR } }\n',
  });
  t.is(chooseTemplate('IČO: 00151653', loadTemplates([dir])).id, 'state');
});

test('without a fallback, a document no template matches is NO_TEMPLATE', (t) => {
  const dir = templateDir(t, {
    'only.yaml': "id: only\nmatch: { all: ['36555720'] }\nfields: { currency: { default: EUR } }\n",
  });
  const error = t.throws(() => extractWithTemplates(text('Faktúra'), loadTemplates([dir])), {
    instanceOf: LoaderError,
  });
  t.is(error.code, 'NO_TEMPLATE');
});

test('the first pattern whose match reads as a value wins, and source names the printed label', (t) => {
  const dir = templateDir(t, {
    'x.yaml': [
      'id: x',
      'fallback: true',
      'fields:',
      '  issue_date:',
      "    - 'Dátum vystavenia{gap}({date})'",
      "    - 'Vystavené{gap}({date})'",
      '  due_date:',
      "    - 'Splatnosť{gap}({date})'",
      "  currency: { patterns: ['Mena{gap}({currency})'], default: null }",
      '  document_type:',
      "    - { regex: 'DOBROPIS', value: credit_note }",
      "    - { regex: 'FAKTÚRA', value: invoice, label: heading }",
    ].join('\n'),
  });
  const { invoice } = extractWithTemplates(
    text('FAKTÚRA', 'Dátum vystavenia: 31.02.2025', 'Vystavené: 28.02.2025', 'Splatnosť: zajtra'),
    loadTemplates([dir]),
  );
  t.is(invoice.issue_date, '2025-02-28'); // 31.02. is no date: the next pattern is tried
  t.is(invoice.due_date, null); // never invented
  t.is(invoice.currency, null);
  t.is(invoice.document_type, 'invoice');
  t.deepEqual(invoice.source.fields, { issue_date: 'regex: Vystavené', document_type: 'regex: heading' });
});

test('sections split a two-column header: each party gets the values of its own column', (t) => {
  const templates = loadTemplates([shippedTemplateDir]);
  const { invoice } = extractWithTemplates(
    text(
      'Dodávateľ:                              Odberateľ:',
      'Ťažba, s.r.o.                           Mágerstav s.r.o.',
      'IČO: 36555721                           IČO: 31436871',
      'IČ DPH: SK2020000001                    IČ DPH: SK2020367151',
    ),
    templates,
  );
  t.is(invoice.supplier.name, 'Ťažba, s.r.o.');
  t.is(invoice.supplier.ico, '36555721');
  t.is(invoice.customer.name, 'Mágerstav s.r.o.');
  t.is(invoice.customer.ico, '31436871');
  t.is(invoice.customer.ic_dph, 'SK2020367151');
  t.is(invoice.source.fields['customer.ico'], 'regex: IČO (in customer)');
});

test('a block whose neighbour starts lower and further right keeps its own column below that heading', (t) => {
  const templates = loadTemplates([shippedTemplateDir]);
  const { invoice } = extractWithTemplates(
    text(
      'Dodávateľ:',
      'Ťažba, s.r.o.',
      'Hlavná 1                                Odberateľ:',
      '811 01 Bratislava                       Mágerstav s.r.o.',
      'IČO: 36555721                           IČO: 31436871',
      '',
      'Dátum vystavenia: 16.09.2025',
    ),
    templates,
  );
  t.is(invoice.supplier.ico, '36555721');
  t.is(invoice.supplier.city, 'Bratislava');
  t.is(invoice.customer.name, 'Mágerstav s.r.o.');
  t.is(invoice.customer.ico, '31436871');
});
