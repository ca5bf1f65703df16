import test from 'ava';
import { MAX_FILENAME_BYTES, safeFilename } from '../../src/intake/safeFilename.ts';

// What a hostile or careless sender may call a document, and the plain name stored for it.
const CASES: Array<[string, string]> = [
  ['faktura-2026-001.pdf', 'faktura-2026-001.pdf'],
  ['Faktúra č. 15.pdf', 'Faktúra č. 15.pdf'],
  ['../../etc/passwd', 'passwd'],
  ['../../../../tmp/x.pdf', 'x.pdf'],
  ['..\\..\\win.ini', 'win.ini'],
  ['C:\\x', 'x'],
  ['C:\\fakepath\\invoice.pdf', 'invoice.pdf'],
  ['C:x.pdf', 'C_x.pdf'],
  ['\\\\server\\share\\inv.xml', 'inv.xml'],
  ['/absolute/path/inv.pdf', 'inv.pdf'],
  ['..', 'document'],
  ['../', 'document'],
  ['...', 'document'],
  ['', 'document'],
  ['.htaccess', 'document.htaccess'],
  ['.pdf', 'document.pdf'],
  ['../..pdf', 'document.pdf'],
  ['inv.pdf\u0000.exe', 'inv.pdf.exe'],
  ['inv\u0000oice.pdf', 'invoice.pdf'],
  ['line\r\nbreak.pdf', 'linebreak.pdf'],
  ['\u001b[31mred.pdf', '[31mred.pdf'],
  // U+202E RIGHT-TO-LEFT OVERRIDE shows "invoice\u202Efdp.exe" as "invoiceexe.pdf".
  ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
  ['in\u200Bvoice\uFEFF.pdf', 'invoice.pdf'],
  // Fullwidth solidus and full stops look like '/' and '.', and become them before the split.
  ['\uFF0E\uFF0E\uFF0Fetc\uFF0Fpasswd', 'passwd'],
  ['a\u2215b.pdf', 'a\u2215b.pdf'],
  ['CON', '_CON'],
  ['nul.pdf', '_nul.pdf'],
  ['com1.xml', '_com1.xml'],
  ['console.pdf', 'console.pdf'],
  ['inv:stream.pdf', 'inv_stream.pdf'],
  ['a<b>c|d?e*f".pdf', 'a_b_c_d_e_f_.pdf'],
  ['trailing. . ', 'trailing'],
  ['  spaced   name .pdf  ', 'spaced name .pdf'],
];

for (const [sent, stored] of CASES) {
  test(`${JSON.stringify(sent)} is stored as ${JSON.stringify(stored)}`, (t) => {
    t.is(safeFilename(sent), stored);
  });
}

test('a very long name is cut to the byte limit, keeping its extension and whole characters', (t) => {
  const ascii = safeFilename(`${'a'.repeat(10_000)}.pdf`);
  t.is(Buffer.byteLength(ascii), MAX_FILENAME_BYTES);
  t.true(ascii.endsWith('.pdf'));
  const slovak = safeFilename(`${'ž'.repeat(5_000)}.isdoc`);
  t.true(Buffer.byteLength(slovak) <= MAX_FILENAME_BYTES);
  t.true(slovak.endsWith('.isdoc'));
  t.false(slovak.includes('\uFFFD'));
  t.regex(slovak, /^ž+\.isdoc$/);
});

test('a name that is nothing but separators and dots gets the fallback the channel chose', (t) => {
  t.is(safeFilename('/../..\\', 'upload'), 'upload');
  t.is(safeFilename(undefined), 'document');
});

test('no stored name ever holds a separator, a control character or starts with a dot', (t) => {
  const nasty = ['/', '\\', '\u0000', '\n', '.', ':', '\u202E', 'a', '\uFF0F', '\u2024', ' ', 'é'];
  // Every name of up to four of these characters: 12^4 = 20 736 names.
  const names = [''];
  for (let length = 0; length < 4; length += 1) {
    for (const name of [...names]) for (const c of nasty) names.push(name + c);
  }
  for (const name of names) {
    const stored = safeFilename(name);
    t.notRegex(stored, /[\\/\p{Cc}\p{Cf}:]/u, JSON.stringify(name));
    t.false(stored.startsWith('.'), JSON.stringify(name));
    t.not(stored, '');
  }
});
