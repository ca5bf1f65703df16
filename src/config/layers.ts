/**
 * Merging configuration layers while remembering, for every leaf key, which file or
 * environment variable set it, so that a problem can name its source.
 */
export type Tree = Record<string, unknown>;
export type Sources = Map<string, string>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeLayer(base: Tree, layer: Tree, source: string, sources: Sources, prefix = ''): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const current = merged[key];
    if (isTree(value) && isTree(current)) {
      merged[key] = mergeLayer(current, value, source, sources, path);
    } else {
      merged[key] = value;
      markSources(value, path, source, sources);
    }
  }
  return merged;
}

function markSources(value: unknown, path: string, source: string, sources: Sources): void {
  for (const key of [...sources.keys()]) if (key.startsWith(`${path}.`)) sources.delete(key);
  if (isTree(value)) {
    for (const [key, child] of Object.entries(value)) markSources(child, `${path}.${key}`, source, sources);
  } else {
    sources.set(path, source);
  }
}

export function sourceOf(sources: Sources, path: string): string | undefined {
  for (let key = path; key; key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '') {
    const found = sources.get(key);
    if (found) return found;
  }
  return undefined;
}

export function getPath(tree: Tree, path: string[]): unknown {
  let node: unknown = tree;
  for (const key of path) node = isTree(node) ? node[key] : undefined;
  return node;
}

export function setPath(tree: Tree, path: string[], value: unknown): Tree {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const child = tree[head];
  return { ...tree, [head]: rest.length ? setPath(isTree(child) ? child : {}, rest, value) : value };
}

export function leaves(tree: Tree, prefix = ''): Array<[string, unknown]> {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isTree(value) ? leaves(value, path) : [[path, value] as [string, unknown]];
  });
}
