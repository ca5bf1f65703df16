import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { windowsPgBinDirs } from '../../src/backup/windowsPgDirs.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadTemplates } from '../../src/extract/templates/loadTemplates.ts';
import { outboxName } from '../../src/nex/outbox.ts';
import { onTerminationSignal } from '../../src/runtime/signals.ts';
import { tempDir } from '../support/tempDir.ts';

test('pg_dump is looked for in <Program Files>\\PostgreSQL\\<major>\\bin, newest major first, only where pg_dump.exe is', (t) => {
  const tree: Record<string, string[]> = {
    'C:\\Program Files\\PostgreSQL': ['13', '15', '9.6', 'data', '16'],
    'C:\\Program Files (x86)\\PostgreSQL': ['12'],
  };
  const files = new Set([
    'C:\\Program Files\\PostgreSQL\\13\\bin\\pg_dump.exe',
    'C:\\Program Files\\PostgreSQL\\15\\bin\\pg_dump.exe',
    'C:\\Program Files\\PostgreSQL\\9.6\\bin\\pg_dump.exe',
    'C:\\Program Files (x86)\\PostgreSQL\\12\\bin\\pg_dump.exe',
    // 16 is only the server: no client tools installed
  ]);
  // Windows names are case-insensitive: the same folder twice (ProgramW6432 and ProgramFiles) is searched once.
  const lower = (map: Iterable<string>) => new Set([...map].map((p) => p.toLowerCase()));
  const present = lower(files);
  const dirs = windowsPgBinDirs(
    {
      ProgramW6432: 'C:\\Program Files',
      ProgramFiles: 'c:\\program files',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    },
    {
      list: (dir) => Object.entries(tree).find(([key]) => key.toLowerCase() === dir.toLowerCase())?.[1] ?? [],
      exists: (file) => present.has(file.toLowerCase()),
    },
  );
  t.deepEqual(dirs, [
    'C:\\Program Files\\PostgreSQL\\15\\bin',
    'C:\\Program Files\\PostgreSQL\\13\\bin',
    'C:\\Program Files (x86)\\PostgreSQL\\12\\bin',
    'C:\\Program Files\\PostgreSQL\\9.6\\bin',
  ]);
});

test('Ctrl+Break (SIGBREAK) starts the ordered shutdown on Windows, a second one forces the exit; elsewhere it is not listened to', (t) => {
  const events: string[] = [];
  const remove = onTerminationSignal(
    (signal) => events.push(`graceful ${signal}`),
    (signal) => events.push(`force ${signal}`),
    'win32',
  );
  try {
    process.emit('SIGBREAK', 'SIGBREAK');
    process.emit('SIGBREAK', 'SIGBREAK');
  } finally {
    remove();
  }
  t.deepEqual(events, ['graceful SIGBREAK', 'force SIGBREAK']);
  t.is(process.listenerCount('SIGBREAK'), 0);

  const linux = onTerminationSignal(
    () => events.push('linux graceful'),
    () => events.push('linux force'),
    'linux',
  );
  try {
    t.is(process.listenerCount('SIGBREAK'), 0);
  } finally {
    linux();
  }
});

const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;
function windowsNameProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[<>:"/\\|?*\u0000-\u001f]/.test(name)) return 'a character Windows refuses';
  if (/[. ]$/.test(name)) return 'a trailing dot or space';
  if (RESERVED.test(name)) return 'a reserved device name';
  if (name.length > 255) return 'longer than 255 characters';
  return undefined;
}

test('outbox files get names Windows accepts whatever the invoice says (reserved names, <>:"/\\|?*, trailing dots, length)', (t) => {
  const invoiceId = '0b0c8d9e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
  const hostile = ['CON', 'nul.', 'COM1', 'a<b>:c"d/e\\f|g?h*', 'faktúra 2026/001. ', 'x'.repeat(400), '...', 'LPT9'];
  for (const number of hostile) {
    for (const ico of ['AUX', '12345678', null]) {
      const base = outboxName({ invoiceId, invoice: { supplier: { ico }, invoice_number: number } as never });
      for (const file of [`${base}.isdoc`, `${base}.json`])
        t.is(windowsNameProblem(file), undefined, `${number} → ${file}`);
    }
  }
});

test('config and templates written with CRLF line ends (Notepad) read exactly as with LF', (t) => {
  const dir = tempDir(t);
  const yaml = 'customer:\n  name: Mágerstav s.r.o.\n  ico: "12345678"\nshutdown:\n  timeoutMs: 15000\n';
  writeFileSync(join(dir, 'lf.yaml'), yaml);
  writeFileSync(join(dir, 'crlf.yaml'), yaml.replace(/\n/g, '\r\n'));
  const lf = loadConfig({ file: join(dir, 'lf.yaml'), env: {} }).config;
  const crlf = loadConfig({ file: join(dir, 'crlf.yaml'), env: {} }).config;
  t.deepEqual(crlf, lf);
  t.is(crlf.customer.ico, '12345678');

  const shipped = fileURLToPath(new URL('../../config/templates/', import.meta.url));
  const converted = join(dir, 'templates');
  mkdirSync(converted);
  for (const name of readdirSync(shipped).filter((file) => file.endsWith('.yaml'))) {
    writeFileSync(join(converted, name), readFileSync(join(shipped, name), 'utf8').replace(/\r?\n/g, '\r\n'));
  }
  const strip = (templates: ReturnType<typeof loadTemplates>) =>
    JSON.parse(
      JSON.stringify(templates, (key, value) =>
        key === 'file' ? undefined : value instanceof RegExp ? value.source : value,
      ),
    );
  t.deepEqual(strip(loadTemplates([converted])), strip(loadTemplates([shipped])));
});
