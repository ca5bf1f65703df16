/**
 * Quoting of one argument for each place a command line is written. Paths with spaces
 * (C:\Program Files\nodejs\node.exe) are the usual case, not the exception.
 */

/** A systemd ExecStart word: quoted when needed; % and $ are specifiers there and are doubled. */
export function systemdWord(value: string): string {
  const escaped = value.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(escaped) || escaped === '' ? `"${escaped.replace(/[\\"]/g, '\\$&')}"` : escaped;
}

/** A path setting that takes the rest of the line as one path (WorkingDirectory=, EnvironmentFile=): no quotes, only specifiers. */
export function systemdPath(value: string): string {
  return value.replace(/%/g, '%%');
}

/** A supervisord command word (split with shlex; % starts a Python format). */
export function supervisorWord(value: string): string {
  const escaped = value.replace(/%/g, '%%');
  return /[\s"'\\]/.test(escaped) || escaped === '' ? `"${escaped.replace(/[\\"]/g, '\\$&')}"` : escaped;
}

/** A value of a supervisord `environment=` list: always quoted, so commas in secrets stay inside. */
export function supervisorEnvironmentValue(value: string): string {
  return `"${value.replace(/%/g, '%%').replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * One argument of a Windows command line as CommandLineToArgvW (and so Node's process.argv)
 * reads it: quotes around spaces, and backslashes doubled only before a quote.
 */
export function windowsArgument(value: string): string {
  if (value !== '' && !/[\s"]/.test(value)) return value;
  let out = '"';
  let backslashes = 0;
  for (const char of value) {
    if (char === '\\') {
      backslashes++;
      continue;
    }
    if (char === '"') out += '\\'.repeat(backslashes * 2 + 1) + '"';
    else out += '\\'.repeat(backslashes) + char;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

/** A PowerShell literal: single quotes, where only a single quote needs doubling. */
export function powershellLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
