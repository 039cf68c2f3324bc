// One tenant: its status and the actions the caller's role allows, charts and usage, live logs, exec,
// channels, configuration and members. Every action is the REST API's; what the role cannot do is hidden,
// and the API refuses it anyway.
import { get, post, patch, del, every, enc } from './api.js';
import { h, clear, bytes, num, pct, when, badge, field, toast, sure } from './dom.js';
import { chart } from './chart.js';

// The lifecycle buttons, in their order. Which of them, and which changes, a tenant offers is the API's
// `actions` for the caller: the console keeps no copy of the roles or of the status machine.
const lifecycle = ['deploy', 'start', 'stop', 'restart'];
const can = (t, action) => (t.actions || []).includes(action);

export async function tenant(main, { id, tab }) {
  const base = `/api/tenants/${enc(id)}`;
  const head = h('div');
  const strip = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Tenant sections' });
  const body = h('div', { role: 'tabpanel' });
  main.append(head, strip, body);
  const failed = (err) => head.replaceChildren(h('h1', {}, id), h('p', { role: 'alert' }, err.message));
  let first;
  try { first = await get(base); } catch (err) { failed(err); return undefined; }
  let shown = '';
  // Redrawn only when something changed: a redraw would drop a selection, a focus or a click.
  const draw = (t) => {
    const now = JSON.stringify(t);
    if (now === shown) return;
    shown = now;
    drawHead(head, t, base);
    drawTabs(strip, t, tab);
  };
  draw(first);
  const stopHead = every(3000, async () => {
    try { draw(await get(base)); } catch (err) { if (err.status) failed(err); throw err; }
  });
  const views = { overview, logs, exec, channels, config, members };
  let stopBody;
  try {
    stopBody = await (views[tab] || overview)(body, base, id, first);
  } catch (err) {
    stopHead();
    throw err;
  }
  return () => { stopHead(); if (typeof stopBody === 'function') stopBody(); };
}

// Every section a member may read, and exec where the API offers it.
function drawTabs(strip, t, tab) {
  const tabs = [['overview', 'Overview'], ['logs', 'Logs'], can(t, 'exec') ? ['exec', 'Exec'] : null, ['channels', 'Channels'], ['config', 'Configuration'], ['members', 'Members']].filter(Boolean);
  const focused = strip.contains(document.activeElement) ? document.activeElement.textContent : null;
  strip.replaceChildren(...tabs.map(([key, label]) =>
    h('button', { type: 'button', role: 'tab', 'aria-selected': String(key === tab), onclick: () => { location.hash = `#/tenants/${enc(t.id)}/${key}`; } }, label)));
  if (focused) [...strip.querySelectorAll('button')].find((b) => b.textContent === focused)?.focus();
}

function drawHead(el, t, base) {
  const buttons = [];
  for (const name of lifecycle) {
    if (can(t, name)) {
      buttons.push(h('button', { type: 'button', class: name === 'deploy' ? 'primary' : '', onclick: async (e) => {
        const button = e.currentTarget;
        button.disabled = true;
        try { await post(`${base}/${name}`); toast(`${name} requested`, true); } catch (err) { toast(err.message); button.disabled = false; }
      } }, name[0].toUpperCase() + name.slice(1)));
    }
  }
  if (can(t, 'delete')) buttons.push(h('button', { type: 'button', class: 'danger', onclick: () => confirmDelete(t, base) }, 'Delete'));
  const focused = el.contains(document.activeElement) ? document.activeElement.textContent : null;
  el.replaceChildren(
    h('h1', {}, t.name, ' ', badge(t.status)),
    h('dl', { class: 'facts' }, h('dt', {}, 'Id'), h('dd', {}, t.id), h('dt', {}, 'Plan'), h('dd', {}, t.plan), h('dt', {}, 'Node'), h('dd', {}, t.node_id || '—'),
      h('dt', {}, 'Running since'), h('dd', {}, when(t.started_at)), t.error_message ? [h('dt', {}, 'Error'), h('dd', { class: 's-error' }, t.error_message)] : null,
      t.health ? [h('dt', {}, 'Health'), h('dd', {}, health(t.health))] : null,
      t.unmetered ? [h('dt', {}, 'Usage'), h('dd', { class: 's-warning' }, `not metered since ${when(t.unmetered.since)}: ${t.unmetered.reason}`)] : null),
    h('div', { class: 'row-actions', 'aria-label': 'Actions' }, buttons));
  if (focused) [...el.querySelectorAll('button')].find((b) => b.textContent === focused)?.focus();
}

// The last probe's state, and each part of the agent that is not ok, with why.
function health(p) {
  const bad = (p.components || []).filter((c) => c.status !== 'ok');
  return [badge(p.state), bad.length ? h('ul', { class: 'components' }, bad.map((c) => h('li', {}, h('span', { class: c.status === 'error' ? 's-error' : 's-warning' }, `${c.name}: ${c.status}`),
    c.last_error ? ` — ${c.last_error}` : '', c.restart_count ? ` (restarted ${c.restart_count}×)` : ''))) : p.last_error ? ` ${p.last_error}` : ''];
}

function confirmDelete(t, base) {
  const typed = h('input', { 'aria-label': `Type ${t.id} to confirm` });
  const go = h('button', { class: 'danger', disabled: true }, 'Delete for good');
  const dialog = h('dialog', { 'aria-label': 'Delete tenant' }, h('h2', {}, `Delete ${t.name}?`),
    h('p', {}, 'The agent is removed and its data with it. Type the tenant id to confirm.'), field(`Type ${t.id}`, typed),
    h('p', { class: 'row-actions' }, go, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
  typed.addEventListener('input', () => { go.disabled = typed.value !== t.id; });
  go.addEventListener('click', async () => {
    try { await del(base); dialog.close(); location.hash = '#/'; toast(`${t.id} deleted`, true); } catch (err) { toast(err.message); }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

async function overview(el, base) {
  const ranges = ['1h', '6h', '24h', '7d'];
  let range = '1h';
  const picker = h('div', { class: 'row-actions', role: 'group', 'aria-label': 'Chart range' });
  const charts = h('div', { class: 'charts' });
  const usage = h('div');
  el.append(picker, charts, h('h2', {}, 'Usage'), usage);
  const drawPicker = () => picker.replaceChildren(...ranges.map((r) => h('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => { range = r; drawPicker(); load(); } }, r)));
  drawPicker();
  async function load() {
    const data = await get(`${base}/resources?range=${range}`);
    const pts = (key, part = 'avg') => data.history.map((b) => ({ t: Date.parse(b.at), v: b[key][part] }));
    const rate = (key) => data.history.slice(1).map((b, i) => ({ t: Date.parse(b.at), v: Math.max(0, (b[key].max - data.history[i][key].max) / data.bucket_seconds) }));
    const limit = data.history.at(-1)?.mem_limit || data.current?.mem_limit;
    charts.replaceChildren(
      chart({ title: 'CPU', series: [{ label: 'CPU', points: pts('cpu_pct') }], format: (v) => (v < 1 ? `${v.toFixed(2)} %` : pct(v)) }),
      chart({ title: 'Memory against its limit', series: [{ label: 'used', points: pts('mem_bytes') }], limit, format: bytes }),
      chart({ title: 'Network', series: [{ label: 'in', points: rate('net_in') }, { label: 'out', points: rate('net_out') }], format: (v) => `${bytes(v)}/s` }),
      chart({ title: 'Disk', series: [{ label: 'disk', points: pts('disk_bytes', 'max') }], format: bytes }));
    const [day, week] = await Promise.all([get(`${base}/usage?range=24h`), get(`${base}/usage?range=7d`)]);
    const days = new Map();
    for (const u of week.hours) {
      const d = u.hour.slice(0, 10);
      const e = days.get(d) || { messages: 0, tokens_in: 0, tokens_out: 0 };
      e.messages += u.messages; e.tokens_in += u.tokens_in; e.tokens_out += u.tokens_out;
      days.set(d, e);
    }
    usage.replaceChildren(
      chart({ title: 'Messages per hour, last 24 hours', bars: true, series: [{ label: 'messages', points: day.hours.map((u) => ({ t: Date.parse(u.hour), v: u.messages })) }], format: (v) => num(Math.round(v)), empty: 'No messages in the last 24 hours.' }),
      h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Usage per day' },
        h('thead', {}, h('tr', {}, ['Day', 'Messages', 'Tokens in', 'Tokens out'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, t)))),
        h('tbody', {}, [...days].reverse().map(([d, e]) => h('tr', {}, h('td', {}, d), h('td', { class: 'num' }, num(e.messages)), h('td', { class: 'num' }, num(e.tokens_in)), h('td', { class: 'num' }, num(e.tokens_out))))),
        days.size ? null : h('caption', { class: 'muted' }, 'No usage in the last 7 days.'))));
  }
  return every(30000, load);
}

function logs(el, base, id) {
  const search = h('input', { type: 'search', 'aria-label': 'Search the log' });
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const save = h('button', { type: 'button' }, 'Download');
  const state = h('span', { class: 'muted', role: 'status' }, 'connecting…');
  const view = h('div', { class: 'logs', tabindex: '0', 'aria-label': 'Log lines', 'aria-live': 'off' });
  el.append(h('div', { class: 'bar-row' }, field('Search', search), pause, save, state), view);
  let lines = [], paused = false, held = 0, reconnecting = false;
  const matches = (line) => !search.value || line.toLowerCase().includes(search.value.toLowerCase());
  const row = (line) => {
    const div = h('div');
    const term = search.value.toLowerCase();
    if (!term) div.textContent = line;
    else {
      let at = 0, low = line.toLowerCase(), i;
      while ((i = low.indexOf(term, at)) >= 0) { div.append(line.slice(at, i), h('mark', {}, line.slice(i, i + term.length))); at = i + term.length; }
      div.append(line.slice(at));
    }
    return div;
  };
  const redraw = () => { view.replaceChildren(...lines.filter(matches).map(row)); view.scrollTop = view.scrollHeight; };
  search.addEventListener('input', redraw);
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) { held = 0; redraw(); }
  });
  save.addEventListener('click', () => {
    const a = h('a', { href: URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/plain' })), download: `${id}.log` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  const source = new EventSource(`${base}/logs?follow=1&tail=200`);
  source.addEventListener('open', () => {
    if (reconnecting) { lines = []; view.replaceChildren(); }
    reconnecting = false;
    state.textContent = 'live';
  });
  source.addEventListener('message', (e) => {
    lines.push(e.data);
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
    if (paused) { held++; state.textContent = `paused, ${held} new lines held`; return; }
    if (matches(e.data)) {
      const stick = view.scrollHeight - view.scrollTop - view.clientHeight < 40;
      view.append(row(e.data));
      while (view.childElementCount > 5000) view.firstElementChild.remove();
      if (stick) view.scrollTop = view.scrollHeight;
    }
  });
  source.addEventListener('end', () => { state.textContent = 'the agent stopped; the log ends here'; source.close(); });
  source.addEventListener('error', async () => {
    if (source.readyState === EventSource.CONNECTING) { reconnecting = true; state.textContent = 'connection lost, reconnecting…'; return; }
    try { await get(`${base}/logs?tail=1`); state.textContent = 'the log stream closed'; } catch (err) { state.textContent = err.message; }
  });
  return () => source.close();
}

function exec(el, base) {
  const command = h('input', { name: 'command', required: true, placeholder: 'ls -la /data', size: 40 });
  const timeout = h('input', { type: 'number', min: 1, max: 300, value: 30, 'aria-label': 'Timeout in seconds' });
  const out = h('pre', { class: 'out', 'aria-live': 'polite' });
  const form = h('form', { class: 'bar-row' }, field('Command (no shell)', command), field('Timeout (s)', timeout), h('button', { class: 'primary' }, 'Run'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.textContent = 'running…';
    try {
      const r = await post(`${base}/exec`, { command: command.value, timeout_seconds: Number(timeout.value) });
      out.textContent = `${r.output}${r.truncated ? '\n[output cut at 1 MiB]' : ''}\n[exit ${r.exit_code}${r.timed_out ? ', timed out' : ''}]`;
    } catch (err) { out.textContent = err.message; }
  });
  el.append(form, out);
}

// Each channel kind's secret fields, a lone secret's first: the server's ChannelKind (ConsoleTests
// checks). The server says what a kind is missing.
const channelSecrets = {
  telegram: ['bot_token'], discord: ['bot_token'], slack: ['bot_token', 'app_token'],
  whatsapp: ['access_token', 'verify_token', 'app_secret'], matrix: ['access_token', 'password', 'recovery_key'],
  email: ['password', 'smtp_password'], webhook: ['secret', 'auth_header'],
};

async function channels(el, base, id, t) {
  const list = h('div');
  el.append(list);
  const load = async () => {
    const rows = await get(`${base}/channels`);
    const edit = can(t, 'change_channels');
    list.replaceChildren(rows.length ? h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Channels' },
      h('thead', {}, h('tr', {}, ['Kind', 'Name', 'Enabled', 'Secrets set', 'Updated', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((c) => h('tr', {}, h('td', {}, c.kind), h('td', {}, c.name), h('td', {}, c.enabled ? 'yes' : 'no'),
        h('td', {}, (c.secrets_set || []).length ? c.secrets_set.join(', ') : 'none'), h('td', {}, when(c.updated_at)),
        h('td', {}, edit ? channelActions(c, `${base}/channels/${c.id}`, load) : null)))))) : h('p', { class: 'muted' }, 'No channels yet.'));
    if (edit) list.append(channelForm(base, load));
  };
  await load();
}

function channelActions(c, path, reload) {
  const fields = channelSecrets[c.kind] || [];
  const which = h('select', { 'aria-label': `Secret field of ${c.name}` }, fields.map((f) => h('option', { value: f }, f)));
  const secret = h('input', { type: 'password', autocomplete: 'off', 'aria-label': `New secret for ${c.name}`, placeholder: 'new secret' });
  const run = (fn) => async () => { try { await fn(); await reload(); } catch (err) { toast(err.message); } };
  return h('span', { class: 'row-actions' },
    h('button', { type: 'button', onclick: run(() => patch(path, { enabled: !c.enabled })) }, c.enabled ? 'Disable' : 'Enable'),
    fields.length > 1 ? which : null, secret,
    h('button', { type: 'button', onclick: run(() => patch(path, { secrets: { [which.value]: secret.value } })) }, 'Set secret'),
    h('button', { type: 'button', class: 'danger', onclick: run(() => sure(`Delete the channel ${c.name}?`) && del(path)) }, 'Delete'));
}

function channelForm(base, reload) {
  const kind = h('select', { required: true }, Object.keys(channelSecrets).map((k) => h('option', { value: k }, k)));
  const name = h('input', { required: true });
  const settings = h('input', { placeholder: '{"allowed_users": ["alice"]}', spellcheck: 'false' });
  const secrets = h('span', { class: 'fields' });
  let inputs = {};
  const fieldsFor = () => {
    inputs = Object.fromEntries((channelSecrets[kind.value] || []).map((f) => [f, h('input', { type: 'password', autocomplete: 'off' })]));
    secrets.replaceChildren(...Object.entries(inputs).map(([f, input]) => field(`${f} (write-only)`, input)));
  };
  kind.addEventListener('change', fieldsFor);
  fieldsFor();
  const form = h('form', { class: 'panel bar-row' }, field('Kind', kind), field('Name', name), secrets,
    field('Settings (JSON)', settings), h('button', { class: 'primary' }, 'Add channel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let given;
    try { given = settings.value.trim() ? JSON.parse(settings.value) : undefined; } catch { toast('Settings: not JSON'); return; }
    const values = Object.fromEntries(Object.entries(inputs).filter(([, input]) => input.value).map(([f, input]) => [f, input.value]));
    try { await post(`${base}/channels`, { kind: kind.value, name: name.value, settings: given, secrets: values }); await reload(); } catch (err) { toast(err.message); }
  });
  return form;
}

async function config(el, base, id, t) {
  const c = await get(`${base}/config`);
  const edit = can(t, 'change_config');
  const provider = h('input', { value: c.provider || '', disabled: !edit });
  const model = h('input', { value: c.model || '', disabled: !edit });
  const key = h('input', { type: 'password', autocomplete: 'off', disabled: !edit, placeholder: c.api_key_set ? 'set; type to replace' : 'not set' });
  const settings = h('textarea', { disabled: !edit, 'aria-label': 'Settings (JSON)' });
  settings.value = JSON.stringify(c.settings, null, 2);
  const form = h('form', { class: 'panel' }, h('div', { class: 'bar-row' }, field('Provider', provider), field('Model', model), field(`API key (${c.api_key_set ? 'set' : 'not set'}, write-only)`, key)),
    field('Settings (JSON)', settings), edit ? h('button', { class: 'primary' }, 'Save') : null);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let parsed;
    try { parsed = JSON.parse(settings.value || '{}'); } catch { toast('Settings must be a JSON object.'); return; }
    const change = { provider: provider.value || null, model: model.value || null, settings: parsed };
    if (key.value) change.api_key = key.value;
    try { await patch(`${base}/config`, change); toast('Configuration saved', true); clear(el); await config(el, base, id, t); } catch (err) { toast(err.message); }
  });
  el.append(form, c.updated_at ? h('p', { class: 'muted' }, `Last changed ${when(c.updated_at)}`) : null);
}

async function members(el, base, id, t) {
  const rows = await get(`${base}/members`);
  const own = can(t, 'manage_members');
  const reload = async () => { clear(el); await members(el, base, id, t); };
  const run = (fn) => async () => { try { await fn(); await reload(); } catch (err) { toast(err.message); } };
  const roles = (current, label) => h('select', { 'aria-label': label }, ['viewer', 'contributor', 'manager', 'owner'].map((r) => h('option', { value: r, selected: r === current }, r)));
  el.append(h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Members' },
    h('thead', {}, h('tr', {}, ['Email', 'Role', 'Since', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((m) => {
      const select = roles(m.role, `Role of ${m.email}`);
      select.disabled = !own;
      select.addEventListener('change', run(() => patch(`${base}/members/${m.user_id}`, { role: select.value }))); // reloads either way
      return h('tr', {}, h('td', {}, m.email), h('td', {}, select), h('td', {}, when(m.created_at)),
        h('td', {}, own ? h('button', { type: 'button', class: 'danger', onclick: run(() => sure(`Remove ${m.email} from this tenant?`) && del(`${base}/members/${m.user_id}`)) }, 'Remove') : null));
    })))));
  if (!rows.length) el.append(h('p', { class: 'muted' }, 'No members: super-admins only.'));
  if (own) {
    const email = h('input', { type: 'email', required: true });
    const role = roles('viewer', 'Role');
    const form = h('form', { class: 'panel bar-row' }, field('Add a member by email', email), field('Role', role), h('button', { class: 'primary' }, 'Add'));
    form.addEventListener('submit', (e) => { e.preventDefault(); run(() => post(`${base}/members`, { email: email.value, role: role.value }))(); });
    el.append(form);
  }
}
