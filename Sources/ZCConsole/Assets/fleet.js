// The fleet at a glance: counts by status, firing alerts and nodes, and one table of every tenant the
// caller may see, refreshed every few seconds (a 304 when nothing changed).
import { get, post, every } from './api.js';
import { isSuper } from './session.js';
import { h, bytes, num, pct, duration, badge, dataTable, field, toast, shortImage } from './dom.js';

const statuses = ['running', 'deploying', 'moving', 'stopped', 'draft', 'error', 'unreachable'];

export async function fleet(main) {
  const cards = h('div', { class: 'cards', 'aria-label': 'Summary' });
  const search = h('input', { type: 'search', placeholder: 'id, name or node', 'aria-label': 'Filter tenants' });
  const status = h('select', { 'aria-label': 'Status' }, h('option', { value: '' }, 'any status'), statuses.map((s) => h('option', { value: s }, s)));
  const now = () => Date.now();
  const table = dataTable([
    { key: 'id', label: 'Tenant', cell: (r) => h('a', { href: `#/tenants/${encodeURIComponent(r.id)}` }, r.name, h('span', { class: 'muted' }, ` ${r.id}`)) },
    { key: 'status', label: 'Status', cell: (r) => badge(r.status) },
    { key: 'node', label: 'Node' },
    { key: 'image', label: 'Image', cell: (r) => h('span', { class: 'image', title: r.image || '' }, shortImage(r.image)) },
    { key: 'cpu_pct', label: 'CPU', num: true, cell: (r) => pct(r.cpu_pct) },
    { key: 'mem_bytes', label: 'Memory', num: true, cell: (r) => memory(r) },
    { key: 'disk_bytes', label: 'Disk', num: true, cell: (r) => bytes(r.disk_bytes) },
    // An unmetered agent (its /metrics has no samples) shows no count: zero would be a guess.
    { key: 'messages_today', label: 'Messages today', num: true,
      cell: (r) => (r.unmetered ? h('span', { class: 'badge s-warning', title: 'its /metrics has no samples: usage is not counted' }, 'unmetered') : num(r.messages_today)) },
    { key: 'tokens_today', label: 'Tokens today', num: true, cell: (r) => (r.unmetered ? '—' : num(r.tokens_today)) },
    // healthy, degraded (the agent answers, a part of it reports an error) or unhealthy.
    { key: 'health', label: 'Health', value: (r) => ({ healthy: 2, degraded: 1, unhealthy: 0 })[r.health] ?? null,
      cell: (r) => (r.health ? badge(r.health) : '—') },
    { key: 'uptime', label: 'Uptime', num: true, value: (r) => (r.started_at ? now() - Date.parse(r.started_at) : null), cell: (r) => (r.started_at ? duration(Math.floor((now() - Date.parse(r.started_at)) / 1000)) : '—') },
  ], { sortKey: 'id', label: 'Tenants', rowKey: (r) => r.id });
  const refilter = () => {
    const text = search.value.trim().toLowerCase(), want = status.value;
    table.filter((r) => (!want || r.status === want) && (!text || r.id.includes(text) || r.name.toLowerCase().includes(text) || (r.node || '').includes(text)));
  };
  search.addEventListener('input', refilter);
  status.addEventListener('change', refilter);
  const updated = h('span', { class: 'muted' });
  main.append(h('h1', {}, 'Fleet'), cards, h('h2', {}, 'Tenants'),
    h('div', { class: 'bar-row' }, field('Search', search), field('Status', status), table.count, updated),
    table.el);
  if (isSuper()) main.append(createForm());

  let etag = null, rows = [], alerts = null, nodes = null, rollout = null;
  const drawCards = () => {
    const count = (s) => rows.filter((r) => r.status === s).length;
    const list = [['Tenants', rows.length], ...['running', 'stopped', 'error', 'unreachable'].map((s) => [s[0].toUpperCase() + s.slice(1), count(s), s === 'error' || s === 'unreachable' ? 'bad' : s === 'running' ? 'ok' : ''])];
    if (alerts) list.push(['Firing alerts', alerts.length, alerts.length ? 'bad' : 'ok']);
    if (nodes) list.push(['Nodes active', `${nodes.filter((n) => n.state === 'active').length} / ${nodes.length}`]);
    if (rollout && !['completed', 'failed', 'aborted'].includes(rollout.state)) {
      list.push([h('a', { href: '#/rollouts' }, `${rollout.done} / ${rollout.total}`), `Rollout ${rollout.state.replace('_', ' ')}`, rollout.state === 'running' || rollout.state === 'paused' ? '' : 'bad']);
    }
    cards.replaceChildren(...list.map(([label, value, tone]) => h('div', { class: `card ${tone || ''}` }, h('b', {}, value), label)));
  };
  const stopTable = every(5000, async () => {
    const answer = await get('/api/fleet', { etag });
    if (!answer.notModified) {
      etag = answer.etag;
      rows = answer.data.tenants;
      table.set(rows);
      drawCards();
    }
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  });
  const stopSide = isSuper() ? every(15000, async () => {
    [alerts, nodes, rollout] = await Promise.all([get('/api/monitoring/alerts'), get('/api/cluster/nodes').then((c) => c.nodes),
      get('/api/rollouts?limit=1').then((r) => r.rollouts[0] || null)]);
    drawCards();
  }) : () => {};
  return () => { stopTable(); stopSide(); };
}

function memory(r) {
  if (r.mem_bytes === null || r.mem_bytes === undefined) return '—';
  const share = r.mem_limit ? r.mem_bytes / r.mem_limit : 0;
  const bar = h('i', { class: share > 0.9 ? 'hot' : '' });
  bar.style.width = `${Math.min(100, share * 100).toFixed(0)}%`;
  return h('span', { title: `${(share * 100).toFixed(0)} % of the limit` }, `${bytes(r.mem_bytes)} / ${bytes(r.mem_limit)}`, h('span', { class: 'meter', 'aria-hidden': 'true' }, bar));
}

function createForm() {
  const id = h('input', { name: 'id', required: true, pattern: '[a-z][a-z0-9\\-]{1,38}[a-z0-9]', placeholder: 'acme-support' });
  const name = h('input', { name: 'name', required: true });
  const plan = h('input', { name: 'plan', placeholder: 'default' });
  const form = h('form', { class: 'panel bar-row' }, h('h2', { class: 'sr' }, 'New tenant'), field('New tenant id', id), field('Name', name), field('Plan', plan), h('button', { class: 'primary' }, 'Create'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const tenant = await post('/api/tenants', { id: id.value, name: name.value, plan: plan.value || undefined });
      location.hash = `#/tenants/${encodeURIComponent(tenant.id)}`;
    } catch (err) { toast(err.message); }
  });
  return form;
}
