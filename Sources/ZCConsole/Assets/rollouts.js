// For super-admins: agent image rollouts. The newest with its progress, each tenant's state and why it
// halted; start, pause, resume and abort; the ones before it.
import { get, post, every } from './api.js';
import { h, badge, field, toast, sure, when, shortImage } from './dom.js';

const ended = ['completed', 'rolled_back', 'failed', 'aborted'];

export async function rollouts(main) {
  const current = h('section', { class: 'panel', 'aria-label': 'Newest rollout' });
  const past = h('div');
  main.append(h('h1', {}, 'Rollouts'), current, startForm(() => load()), h('h2', {}, 'History'), past);
  const act = (verb, id, question) => async () => {
    if (question && !sure(question)) return;
    try { await post(`/api/rollouts/${id}/${verb}`); await load(); } catch (err) { toast(err.message); }
  };
  let shown = '';
  async function load() {
    const list = (await get('/api/rollouts?limit=20')).rollouts;
    const newest = list[0] ? await get(`/api/rollouts/${list[0].id}`) : null;
    // Redrawn when something changed, not every 2 s: a redraw would take the focus from a button.
    const now = JSON.stringify([newest, list.map((r) => [r.id, r.state, r.done])]);
    if (now === shown) return;
    shown = now;
    current.replaceChildren(...(newest ? drawRollout(newest, act) : [h('p', { class: 'muted' }, 'No rollout yet. Every tenant runs the image it was deployed with.')]));
    past.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Rollouts' },
      h('thead', {}, h('tr', {}, ['Rollout', 'Image', 'State', 'Done', 'Started', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((r) => h('tr', { 'data-key': r.id }, h('td', {}, r.id), h('td', { title: r.image }, shortImage(r.image)),
        h('td', {}, badge(r.state)), h('td', {}, `${r.done} / ${r.total}`), h('td', {}, when(r.created_at)), h('td', {}, r.created_by)))))));
  }
  await load();
  return every(2000, load);
}

function drawRollout(r, act) {
  const c = r.counts;
  const buttons = [];
  if (r.state === 'running' || r.state === 'pending') buttons.push(h('button', { type: 'button', onclick: act('pause', r.id) }, 'Pause'));
  if (r.state === 'paused' || r.state === 'rolled_back') buttons.push(h('button', { type: 'button', class: 'primary', onclick: act('resume', r.id) }, 'Resume'));
  if (!ended.includes(r.state)) buttons.push(h('button', { type: 'button', class: 'danger', onclick: act('abort', r.id, `Abort ${r.id}? Tenants already updated keep ${r.image}; the rest are left as they are.`) }, 'Abort'));
  const parts = [`${r.done} of ${r.total} done`, `${c.updating + c.rolling_back} updating`, `${c.failed} failed`, `${c.rolled_back} rolled back`];
  if (r.waiting) parts.push(`${r.waiting} waiting`);
  return [
    h('h2', {}, 'Rollout of ', h('code', { title: r.image }, shortImage(r.image)), ' ', badge(r.state)),
    h('div', { class: 'bar-row' }, h('progress', { max: Math.max(1, r.total), value: r.done, 'aria-label': 'Progress' }), h('span', { role: 'status' }, parts.join(' · '))),
    r.reason ? h('p', { class: r.state === 'halted' || r.state === 'rolled_back' || r.state === 'failed' ? 's-error' : 'muted' }, `${r.state === 'halted' || r.state === 'rolled_back' ? 'Halted' : 'Note'}: ${r.reason}`) : null,
    h('p', { class: 'muted' }, `${r.id}: canary ${r.canary}, then batches of ${r.batch_size}; each agent healthy for ${r.health_seconds} s; halts after ${r.max_failures} failure${r.max_failures === 1 ? '' : 's'}${r.pause_after_canary ? '; pauses after the canary' : ''}.`),
    buttons.length ? h('div', { class: 'row-actions' }, buttons) : null,
    ...(r.nodes || []).filter((n) => n.error).map((n) => h('p', { class: 's-error' }, `Node ${n.node}: ${n.error}`)),
    h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Tenants of the rollout' },
      h('thead', {}, h('tr', {}, ['Tenant', 'Batch', 'State', 'Node', 'From', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, r.tenants.map((t) => h('tr', { 'data-key': t.id },
        h('td', {}, h('a', { href: `#/tenants/${encodeURIComponent(t.id)}` }, t.id)), h('td', {}, t.batch === 0 ? 'canary' : t.batch),
        h('td', {}, badge(t.state)),
        h('td', {}, t.node || '—'), h('td', { title: t.from || '' }, t.from ? shortImage(t.from) : '—'), h('td', {}, t.waiting || t.error || '')))))),
  ];
}

function startForm(done) {
  const image = h('input', { name: 'image', required: true, placeholder: 'ghcr.io/zeroclaw-labs/zeroclaw:v0.8.4' });
  const canary = h('input', { name: 'canary', value: '1', size: 5 });
  const batch = h('input', { name: 'batch_size', value: '10%', size: 5 });
  const gate = h('input', { name: 'health_seconds', type: 'number', min: 0, max: 3600, value: 30 });
  const failures = h('input', { name: 'max_failures', type: 'number', min: 1, value: 1 });
  const pause = h('input', { type: 'checkbox' });
  const form = h('form', { class: 'panel bar-row' }, h('h2', { class: 'sr' }, 'Start a rollout'), field('Image', image), field('Canary', canary),
    field('Batch size', batch), field('Health gate (s)', gate), field('Max failures', failures),
    h('label', { class: 'inline' }, pause, 'pause after the canary'), h('button', { class: 'primary' }, 'Start rollout'));
  const amount = (v) => (v.trim().endsWith('%') ? v.trim() : Number(v));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!sure(`Roll ${image.value} out to every tenant not pinned?`)) return;
    try {
      await post('/api/rollouts', { image: image.value, canary: amount(canary.value), batch_size: amount(batch.value),
        health_seconds: Number(gate.value), max_failures: Number(failures.value), pause_after_canary: pause.checked });
      toast('Rollout started', true);
      await done();
    } catch (err) { toast(err.message); }
  });
  return form;
}
