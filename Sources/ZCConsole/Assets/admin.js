// For super-admins: the users, and the cluster's nodes (state, heartbeat, capacity, leader, drain).
import { get, post, patch, del, every } from './api.js';
import { h, bytes, when, badge, field, toast, sure } from './dom.js';

export async function users(main) {
  const list = h('div');
  const email = h('input', { type: 'email', required: true });
  const admin = h('input', { type: 'checkbox' });
  const form = h('form', { class: 'panel bar-row' }, field('New user email', email), h('label', { class: 'inline' }, admin, 'super-admin'), h('button', { class: 'primary' }, 'Add user'));
  main.append(h('h1', {}, 'Users'), list, form);
  const run = (fn) => async () => { try { await fn(); await load(); } catch (err) { toast(err.message); } };
  async function load() {
    const rows = await get('/api/users');
    list.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Users' },
      h('thead', {}, h('tr', {}, ['Email', 'Role', 'State', 'Last sign-in', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((u) => h('tr', {}, h('td', {}, u.email), h('td', {}, u.is_super_admin ? 'super-admin' : 'member'),
        h('td', {}, u.is_disabled ? badge('disabled') : 'active'), h('td', {}, when(u.last_login_at)),
        h('td', { class: 'row-actions' },
          h('button', { type: 'button', onclick: run(() => patch(`/api/users/${u.id}`, { is_disabled: !u.is_disabled })) }, u.is_disabled ? 'Enable' : 'Disable'),
          h('button', { type: 'button', onclick: run(() => sure(`${u.is_super_admin ? 'Take super-admin from' : 'Make super-admin:'} ${u.email}?`) && patch(`/api/users/${u.id}`, { is_super_admin: !u.is_super_admin })) }, u.is_super_admin ? 'Make member' : 'Make super-admin'),
          h('button', { type: 'button', class: 'danger', onclick: run(() => sure(`Delete the user ${u.email}? Their sessions and tokens end.`) && del(`/api/users/${u.id}`)) }, 'Delete'))))))));
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); run(() => post('/api/users', { email: email.value, is_super_admin: admin.checked }))(); });
  await load();
}

export async function nodes(main) {
  const list = h('div');
  main.append(h('h1', {}, 'Nodes'), list);
  const run = (fn) => async () => { try { await fn(); await load(); } catch (err) { toast(err.message); } };
  let shown = '';
  async function load() {
    const answer = await get('/api/cluster/nodes');
    // Redrawn when a node changed, not every 5 s: a redraw would take the focus from a button.
    const now = JSON.stringify(answer.nodes.map(({ heartbeat_age_seconds, last_heartbeat, expires_at, ...rest }) => rest)) + JSON.stringify(answer.leader?.node);
    if (now === shown) return;
    shown = now;
    const { nodes: rows, leader } = answer;
    list.replaceChildren(h('p', { class: 'muted' }, leader ? `Leader: ${leader.node} (term ${leader.term})` : 'No leader at the moment.'),
      h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Nodes' },
        h('thead', {}, h('tr', {}, ['Node', 'State', 'Address', 'Heartbeat age', 'Memory reserved / capacity', 'Tenants', 'Version', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map((n) => h('tr', {}, h('td', {}, n.id, n.leader ? ' (leader)' : ''), h('td', {}, badge(n.state)), h('td', {}, n.address),
          h('td', {}, `${n.heartbeat_age_seconds} s`), h('td', {}, `${bytes(n.memory_reserved)} / ${bytes(n.memory_capacity)}`), h('td', {}, n.tenants), h('td', {}, n.version),
          h('td', {}, n.state === 'draining' ? h('button', { type: 'button', onclick: run(() => post(`/api/cluster/nodes/${encodeURIComponent(n.id)}/undrain`)) }, 'Undrain')
            : n.state === 'active' ? h('button', { type: 'button', onclick: run(() => sure(`Drain ${n.id}? Its tenants move to other nodes, one at a time.`) && post(`/api/cluster/nodes/${encodeURIComponent(n.id)}/drain`)) }, 'Drain') : null)))))));
  }
  return every(5000, load);
}
