import type { EnvironmentEntry } from './servicePlan.ts';

/**
 * Reads a systemd-style environment file (KEY=value per line, # comments, optional quotes)
 * — the one place secrets live, whichever manager runs the daemon. CRLF line ends are
 * accepted: the file is often edited in Notepad.
 */
export function parseEnvironmentFile(text: string): EnvironmentEntry[] {
  const entries: EnvironmentEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    entries.push({ name: match[1]!, value });
  }
  return entries;
}

/** The same names with the values hidden: what a dry run shows. */
export function maskEnvironment(entries: EnvironmentEntry[]): EnvironmentEntry[] {
  return entries.map(({ name }) => ({ name, value: '********' }));
}
