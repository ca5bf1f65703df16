import type { ActorNode } from '../runtime/actorTree.ts';
import { html, words, type Lang } from './text.ts';

/**
 * Aktéri / Actors: the live actor tree (what `GET /api/actors` and `invoice-loader inspect`
 * show) as a table rendered on the server, so it reads without JavaScript; a small module
 * script then follows the inspector's stream and redraws the rows when something changes.
 */
interface Row {
  node: ActorNode;
  depth: number;
}

function rowsOf(node: ActorNode | undefined, depth = 0): Row[] {
  return node ? [{ node, depth }, ...node.children.flatMap((child) => rowsOf(child, depth + 1))] : [];
}

function notesText(notes: Record<string, string> | undefined): string {
  return Object.entries(notes ?? {})
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}

function row({ node, depth }: Row): string {
  const cells = [
    node.kind,
    node.state,
    node.status,
    String(node.restarts),
    node.since ?? '',
    node.lastError ?? '',
    notesText(node.notes),
  ];
  return `<tr data-actor="${html(node.id)}"><th scope="row" style="padding-left:${0.5 + depth * 1.2}rem">${html(node.id)}</th>${cells.map((cell) => `<td>${html(cell)}</td>`).join('')}</tr>`;
}

// The browser's half of `row` above; it builds the same cells with textContent, never HTML.
const LIVE_SCRIPT = `<script type="module">
const body = document.querySelector('#actors tbody');
const draw = (tree) => {
  const rows = [];
  const walk = (node, depth) => {
    rows.push([node, depth]);
    for (const child of node.children ?? []) walk(child, depth + 1);
  };
  if (tree) walk(tree, 0);
  body.replaceChildren(...rows.map(([node, depth]) => {
    const tr = document.createElement('tr');
    tr.dataset.actor = node.id;
    const th = document.createElement('th');
    th.scope = 'row';
    th.style.paddingLeft = (0.5 + depth * 1.2) + 'rem';
    th.textContent = node.id;
    tr.append(th);
    const notes = Object.entries(node.notes ?? {}).map(([k, v]) => k + ': ' + v).join(', ');
    for (const text of [node.kind, node.state, node.status, String(node.restarts), node.since ?? '', node.lastError ?? '', notes]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  document.getElementById('actors').dataset.live = 'true';
};
let pending = null;
const refresh = () => {
  // Inspection events come in bursts (every transition of every actor): one read per second is enough.
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    const answer = await fetch('/api/actors', { headers: { accept: 'application/json' } });
    if (answer.ok) draw(await answer.json());
  }, 1000);
};
const stream = new EventSource('/api/inspect/stream');
stream.addEventListener('tree', (event) => draw(JSON.parse(event.data)));
stream.addEventListener('inspection', refresh);
</script>`;

export function actorsPage(tree: ActorNode | undefined, lang: Lang): string {
  const t = words(lang);
  const head = [
    t('actorId'),
    t('kind'),
    t('machineState'),
    t('supervision'),
    t('restarts'),
    t('since'),
    t('lastError'),
    t('notes'),
  ];
  return `<h1>${t('actors')}</h1>
<p>${t('liveUpdates')}</p>
<table id="actors"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>
${rowsOf(tree).map(row).join('\n')}
</tbody></table>
${LIVE_SCRIPT}`;
}
