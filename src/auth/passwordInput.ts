import { LoaderError } from '../errors.ts';

/**
 * Where `users add|password` get a password: the first line of stdin (`--password-stdin`, for
 * scripts), or a prompt on the terminal that does not echo what is typed. A password is never
 * an argument: arguments show up in `ps` and shell history.
 */
export async function passwordFromStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (!line) throw new LoaderError('PASSWORD_MISSING', 'stdin was empty: pipe the password in (--password-stdin).');
  return line;
}

function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') {
          return finish(new LoaderError('PASSWORD_CANCELLED', 'Cancelled; nothing was changed.'));
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    input.on('data', onData);
  });
}

/** Asks twice on a terminal; null when there is no terminal to ask on. */
export async function promptNewPassword(): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const first = await promptHidden('Heslo / Password: ');
  const second = await promptHidden('Znova / Again: ');
  if (first !== second) throw new LoaderError('PASSWORD_MISMATCH', 'The two passwords differ; nothing was changed.');
  return first;
}
