/**
 * The invoice page's one script (inline, no external assets): live sums of the lines and the
 * VAT breakdown with the difference to the totals, adding and deleting rows, Save (the changed
 * header fields and, if any line changed, the full lines array, as `PATCH /api/invoices/:id`),
 * a line's NEX product picked among those offered, and the decision buttons. The page passes what the script needs in data attributes and a
 * JSON block of words; the script itself is the same text for every invoice, so nothing from
 * the invoice is ever interpreted as code. Sums are exact (BigInt units), never floats:
 * a cent of difference must show as a cent.
 */
export const EDITOR_SCRIPT = `
const page = document.getElementById('invoice-page');
const words = JSON.parse(document.getElementById('editor-words').textContent);
const invoiceId = page.dataset.invoice;
const csrf = document.querySelector('input[name="_csrf"]')?.value ?? '';
const outcome = document.getElementById('outcome');

const DECIMAL = /^-?\\d+(\\.\\d+)?$/;
const clean = (text) => text.trim().replace(/\\s/g, '').replace(',', '.');
function parse(text) {
  const plain = clean(text);
  if (!DECIMAL.test(plain)) return null;
  const [whole, fraction = ''] = plain.replace('-', '').split('.');
  const units = BigInt(whole + fraction);
  return { units: plain.startsWith('-') ? -units : units, scale: fraction.length };
}
function add(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * 10n ** BigInt(scale - a.scale) + b.units * 10n ** BigInt(scale - b.scale), scale };
}
const negate = (value) => ({ units: -value.units, scale: value.scale });
function format(value) {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  return (negative ? '-' : '') + whole + (value.scale ? '.' + digits.slice(digits.length - value.scale) : '');
}
function sumOf(table, key) {
  let total = { units: 0n, scale: 2 };
  for (const input of table.querySelectorAll('tbody [data-key="' + key + '"]')) {
    const value = parse(input.value);
    if (value) total = add(total, value);
  }
  return total;
}

const lines = document.getElementById('lines');
const vat = document.getElementById('vat');
const field = (name) => document.querySelector('[data-field="' + name + '"]');
function refreshSums() {
  const net = sumOf(lines, 'line_net');
  document.getElementById('lines-net').textContent = format(net);
  const totalNet = parse(field('total_net').value);
  const difference = totalNet ? add(totalNet, negate(net)) : null;
  const shown = document.getElementById('lines-difference');
  shown.textContent = difference ? format(difference) : '—';
  shown.classList.toggle('error', !!difference && difference.units !== 0n);
  document.getElementById('vat-sum').textContent = format(sumOf(vat, 'base')) + ' / ' + format(sumOf(vat, 'tax'));
}

function renumber(table) {
  table.querySelectorAll('tbody tr').forEach((row, index) => {
    const number = row.querySelector('.n');
    if (number) number.textContent = String(index + 1);
    for (const control of row.querySelectorAll('input, button')) {
      control.setAttribute('aria-label', control.dataset.label + ', ' + words.row + ' ' + (index + 1));
    }
  });
}
const markDirty = (table) => { table.dataset.dirty = 'true'; };

document.addEventListener('input', (event) => {
  // A product choice is sent on its own (Confirm), not as a change of the lines.
  if (event.target.matches('[data-match-line]')) return;
  const table = event.target.closest('table[data-rows]');
  if (table) markDirty(table);
  refreshSums();
});

function show(message, failed) {
  outcome.textContent = message;
  outcome.className = failed ? 'error' : '';
  outcome.setAttribute('role', failed ? 'alert' : 'status');
}

async function send(method, path, body) {
  show(words.working, false);
  const response = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    show(answer.error?.message ?? response.status + ' ' + response.statusText, true);
    return;
  }
  // The page is rendered again by the server: new status, problems and history.
  sessionStorage.setItem('invoice-outcome', answer.message ?? '');
  location.reload();
}

const valueOf = (control) => {
  const text = control.dataset.kind === 'decimal' ? clean(control.value) : control.value.trim();
  return text === '' ? null : text;
};
const rowsOf = (table) =>
  [...table.querySelectorAll('tbody tr')].map((row) =>
    Object.fromEntries([...row.querySelectorAll('[data-key]')].map((input) => [input.dataset.key, valueOf(input)])),
  );

// What each header control held when the page loaded, as the browser holds it: an input drops a
// line break the stored text may have, so comparing with the stored text would see a change.
const originals = new Map([...document.querySelectorAll('[data-field]')].map((control) => [control, control.value]));

function save() {
  const header = {};
  for (const [control, original] of originals) {
    if (control.value !== original) header[control.dataset.field] = valueOf(control);
  }
  if (vat.dataset.dirty) header.vat_breakdown = rowsOf(vat);
  const body = {};
  if (Object.keys(header).length) body.header = header;
  if (lines.dataset.dirty) body.lines = rowsOf(lines);
  const reason = document.getElementById('correction-reason').value.trim();
  if (reason) body.reason = reason;
  if (!body.header && !body.lines) return show(words.nothingChanged, false);
  return send('PATCH', '/api/invoices/' + invoiceId, body);
}

const decisions = {
  approve: () => send('POST', '/api/invoices/' + invoiceId + '/approve', {}),
  reprocess: () => send('POST', '/api/invoices/' + invoiceId + '/reprocess', {}),
  match: (button) => {
    const line = button.dataset.line;
    const choice = document.getElementById('match-' + line).value;
    return send('POST', '/api/invoices/' + invoiceId + '/lines/' + line + '/match', {
      gs_code: choice === '' ? null : Number(choice),
    });
  },
  reject: () => {
    const reason = document.getElementById('reject-reason');
    if (!reason.value.trim()) {
      show(words.rejectReasonMissing, true);
      return reason.focus();
    }
    return send('POST', '/api/invoices/' + invoiceId + '/reject', { reason: reason.value.trim() });
  },
};

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-do]');
  if (!button) return;
  event.preventDefault();
  const action = button.dataset.do;
  if (action === 'add-row') {
    const table = document.getElementById(button.dataset.table);
    const row = document.getElementById(button.dataset.table + '-row').content.firstElementChild.cloneNode(true);
    table.tBodies[0].append(row);
    markDirty(table);
    renumber(table);
    row.querySelector('input')?.focus();
  } else if (action === 'delete-row') {
    const table = button.closest('table');
    button.closest('tr').remove();
    markDirty(table);
    renumber(table);
  } else if (action === 'save') {
    save();
  } else if (decisions[action]) {
    decisions[action](button);
  }
  refreshSums();
});

const previous = sessionStorage.getItem('invoice-outcome');
if (previous) {
  sessionStorage.removeItem('invoice-outcome');
  show(previous, false);
}
renumber(lines);
renumber(vat);
refreshSums();
page.dataset.ready = 'true';
`;
