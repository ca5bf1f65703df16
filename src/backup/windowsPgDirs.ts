import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface FolderProbe {
  list(dir: string): string[];
  exists(file: string): boolean;
}

const systemProbe: FolderProbe = {
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  exists: existsSync,
};

/**
 * The `bin` folders of PostgreSQL installs on Windows that hold pg_dump.exe, newest major
 * first: the EDB installer puts them in `<Program Files>\PostgreSQL\<major>\bin` (and a
 * 32-bit one under Program Files (x86)). Written with path.win32 and an injected probe, so
 * the search is the same, and tested, on any platform.
 */
export function windowsPgBinDirs(env: NodeJS.ProcessEnv, probe: FolderProbe = systemProbe): string[] {
  const roots = [env.ProgramW6432, env.ProgramFiles, env['ProgramFiles(x86)'], 'C:\\Program Files'].filter(
    (root): root is string => Boolean(root),
  );
  const found: Array<{ dir: string; version: number }> = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const base = path.win32.join(root, 'PostgreSQL');
    if (seen.has(base.toLowerCase())) continue; // Windows paths are case-insensitive
    seen.add(base.toLowerCase());
    for (const name of probe.list(base)) {
      const version = Number(name);
      const dir = path.win32.join(base, name, 'bin');
      if (Number.isFinite(version) && probe.exists(path.win32.join(dir, 'pg_dump.exe'))) found.push({ dir, version });
    }
  }
  return found.sort((a, b) => b.version - a.version).map((entry) => entry.dir);
}
