// The audit log with filters, paging and CSV export; and the alerts, firing now and recently.
import { get, every, q } from './api.js';
import { h, when, badge, field, toast } from './dom.js';

const columns = ['at', 'actor', 'action', 'tenant_id', 'target', 'client_ip', 'detail'];

export async function audit(main) {
  const inputs = {
    actor: h('input', { name: 'actor', placeholder: 'someone@example.com' }),
    action: h('input', { name: 'action', placeholder: 'tenant.deploy' }),
    tenant: h('input', { name: 'tenant' }),
    since: h('input', { type: 'datetime-local', name: 'since' }),
    until: h('input', { type: 'datetime-local', name: 'until' }),
  };
  const form = h('form', { class: 'bar-row', 'aria-label': 'Filters' }, Object.entries(inputs).map(([k, el]) => field(k[0].toUpperCase() + k.slice(1), el)),
    h('button', { class: 'primary' }, 'Apply'), h('button', { type: 'button', onclick: () => exportCSV(filters()) }, 'Export CSV'));
  const body = h('tbody');
  const pager = h('div', { class: 'row-actions' });
  main.append(h('h1', {}, 'Audit log'), form, h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Audit events' },
    h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Tenant', 'Target', 'Client', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))), body)), pager);
  const filters = () => {
    const f = {};
    for (const [k, el] of Object.entries(inputs)) {
      if (!el.value) continue;
      f[k] = el.type === 'datetime-local' ? new Date(el.value).toISOString().replace(/\.\d+Z$/, 'Z') : el.value.trim();
    }
    return f;
  };
  let pages = [null];
  async function show(index) {
    const page = await get(`/api/monitoring/audit${q({ ...filters(), limit: 50, cursor: pages[index] })}`);
    pages = pages.slice(0, index + 1);
    if (page.next_cursor) pages.push(page.next_cursor);
    body.replaceChildren(...page.events.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.actor), h('td', {}, e.action),
      h('td', {}, e.tenant_id ? h('a', { href: `#/tenants/${encodeURIComponent(e.tenant_id)}` }, e.tenant_id) : '—'),
      h('td', {}, e.target || '—'), h('td', {}, e.client_ip || '—'), h('td', {}, Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''))));
    if (!page.events.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No events match.')));
    pager.replaceChildren(
      h('button', { type: 'button', disabled: index === 0, onclick: () => show(index - 1) }, 'Newer'),
      h('span', { class: 'muted' }, `page ${index + 1}`),
      h('button', { type: 'button', disabled: !page.next_cursor, onclick: () => show(index + 1) }, 'Older'));
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); pages = [null]; show(0).catch((err) => toast(err.message)); });
  await show(0);
}

// Every matching event (up to 10,000) as CSV; a cell that a spreadsheet would read as a formula is quoted as text.
async function exportCSV(f) {
  const rows = [columns.join(',')];
  let cursor = null;
  try {
    do {
      const page = await get(`/api/monitoring/audit${q({ ...f, limit: 1000, cursor })}`);
      for (const e of page.events) rows.push(columns.map((c) => cell(c === 'detail' ? JSON.stringify(e.detail) : e[c])).join(','));
      cursor = page.next_cursor;
    } while (cursor && rows.length <= 10000);
  } catch (err) { toast(err.message); return; }
  if (cursor) toast(`The export holds the newest ${rows.length - 1} events; narrow the filters for older ones.`);
  const a = h('a', { href: URL.createObjectURL(new Blob([rows.join('\r\n') + '\r\n'], { type: 'text/csv' })), download: 'audit.csv' });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
// A spreadsheet reads a formula at the start of a cell, or after a `;` where that is its separator:
// either is made text. Cells with a separator, a quote or a line break are quoted.
function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) || /;\s*[=+\-@]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function alerts(main) {
  const firing = h('div');
  const recent = h('div');
  main.append(h('h1', {}, 'Alerts'), h('h2', {}, 'Firing now'), firing, h('h2', {}, 'Recent'), recent);
  return every(10000, async () => {
    const [now, fired, resolved] = await Promise.all([get('/api/monitoring/alerts'),
      get('/api/monitoring/audit?action=alert.firing&limit=50'), get('/api/monitoring/audit?action=alert.resolved&limit=50')]);
    firing.replaceChildren(now.length ? table(['Alert', 'Severity', 'Summary', 'Since', 'Labels'], now.map((a) => [a.alertname, badge(a.severity), a.summary, when(a.active_since),
      Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')]), 'Firing alerts') : h('p', { class: 'muted' }, 'Nothing is firing.'));
    const events = [...fired.events, ...resolved.events].sort((a, b) => b.id - a.id).slice(0, 50);
    recent.replaceChildren(events.length ? table(['Time', 'Event', 'Alert', 'Severity', 'Summary'], events.map((e) => [when(e.at), e.action === 'alert.firing' ? 'fired' : 'resolved',
      e.detail.alert, badge(e.detail.severity), e.detail.summary]), 'Recent alerts') : h('p', { class: 'muted' }, 'No alert has fired or resolved lately.'));
  });
}

function table(heads, rows, label) {
  return h('div', { class: 'table-wrap' }, h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}
