import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors.ts';
import { loadTemplates } from './loadTemplates.ts';
import type { Template } from './template.ts';

/**
 * The supplier templates as they are on disk now, without a restart: before each use the
 * template folders are listed and each file's size and mtime compared with what was loaded
 * (a few stat calls per document, nothing against extracting it). A change loads the whole set
 * again. A set that does not load (a typo in a file being edited) keeps the previous set in use
 * and is reported once as a warning naming the problem, until the files change again.
 *
 * A check per use rather than fs.watch: it needs no watcher per folder in every extraction
 * worker, behaves the same on Windows shares, and a burst of saves is simply read once.
 */
export interface TemplateSet {
  templates: Template[];
  /** Set once when a change could not be loaded: what was wrong (the previous set stays in use). */
  warning?: string;
}

export function reloadingTemplates(dirs: string[], load: (dirs: string[]) => Template[] = loadTemplates) {
  let loadedSignature = signature(dirs);
  let templates = load(dirs);
  let refusedSignature: string | undefined;
  return {
    current(): TemplateSet {
      const now = signature(dirs);
      if (now === loadedSignature || now === refusedSignature) return { templates };
      try {
        templates = load(dirs);
        loadedSignature = now;
        refusedSignature = undefined;
        return { templates };
      } catch (error) {
        refusedSignature = now;
        return {
          templates,
          warning: `the changed templates could not be loaded, the previous ones stay in use: ${errorMessage(error)}`,
        };
      }
    },
  };
}

/** Every template file's name, size and mtime, in order: equal signatures mean nothing to reload. */
function signature(dirs: string[]): string {
  const parts: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      parts.push(`${dir}:missing`);
      continue;
    }
    for (const name of readdirSync(dir)
      .filter((entry) => /\.ya?ml$/i.test(entry))
      .sort()) {
      try {
        const stat = statSync(path.join(dir, name));
        parts.push(`${dir}/${name}:${stat.size}:${stat.mtimeMs}`);
      } catch {
        parts.push(`${dir}/${name}:gone`);
      }
    }
  }
  return parts.join('\n');
}
