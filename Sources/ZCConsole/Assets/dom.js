// Small DOM helpers: elements are built with text content only, never from HTML strings, so nothing a
// tenant wrote (a name, a log line) can become markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}
export function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
export const clear = (el) => { el.replaceChildren(); return el; };
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0; let v = Number(n);
  while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(v < 10 ? 1 : 0) : v) + ' ' + u[i];
}
const grouped = new Intl.NumberFormat('en-US');
export const num = (n) => (n === null || n === undefined ? '—' : grouped.format(n));
export const pct = (n) => (n === null || n === undefined ? '—' : Number(n).toFixed(1) + ' %');
export function duration(s) {
  if (s === null || s === undefined) return '—';
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  return m ? `${m}m ${s % 60}s` : `${s}s`;
}
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
// Asks before an action that cannot be taken back (the browser's own dialog: keyboard and screen readers).
export const sure = (question) => window.confirm(question);
export function badge(status, text) { return h('span', { class: `badge s-${status}` }, text ?? status); }
// An agent image as a person reads it: without its digest, a command by its program's name.
export function shortImage(image) {
  if (!image) return '—';
  const [first, ...rest] = image.split(' ');
  const name = first.replace(/@sha256:[0-9a-f]+$/, '');
  return [name.startsWith('/') ? name.split('/').pop() : name, ...rest].join(' ');
}
export function field(label, input) { return h('label', {}, label, input); }
// A message for the toast area (errors in words, successes briefly).
export function toast(text, good) {
  const el = h('div', { class: good ? 'good' : '' }, text);
  document.getElementById('toast').append(el);
  setTimeout(() => el.remove(), good ? 3000 : 8000);
}
// A sortable, filterable table that redraws only its body: columns are {key, label, num, value(row), cell(row)}.
export function dataTable(columns, { sortKey, desc = false, label, rowKey }) {
  let rows = []; let filter = () => true; let sort = { key: sortKey, desc }; let drawn = 0;
  const body = h('tbody');
  const heads = columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.num ? 'num' : '' },
      c.sortable === false ? c.label : h('button', { type: 'button', onclick: () => {
        sort = { key: c.key, desc: sort.key === c.key ? !sort.desc : !!c.num }; draw();
      } }, c.label));
    return th;
  });
  const table = h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, heads)), body);
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  function draw() {
    const col = columns.find((c) => c.key === sort.key);
    heads.forEach((th, i) => th.setAttribute('aria-sort', columns[i].key === sort.key ? (sort.desc ? 'descending' : 'ascending') : 'none'));
    const shown = rows.filter(filter);
    if (col) {
      const get = col.value || ((r) => r[col.key]);
      shown.sort((a, b) => {
        const x = get(a), y = get(b);
        const c = x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -1 : 1;
        return sort.desc && x !== null && x !== undefined && y !== null && y !== undefined ? -c : c;
      });
    }
    const row = (r) => {
      const tr = h('tr', { 'data-key': rowKey ? rowKey(r) : undefined });
      for (const c of columns) tr.append(h('td', { class: c.num ? 'num' : '' }, c.cell ? c.cell(r) : r[c.key] ?? '—'));
      return tr;
    };
    // The first screenful at once, the rest in the next frame: a long table shows before it is complete
    // (one more layout, not one per chunk).
    const turn = ++drawn;
    body.replaceChildren(...shown.slice(0, 60).map(row));
    if (shown.length > 60) requestAnimationFrame(() => { if (turn === drawn) body.append(...shown.slice(60).map(row)); });
    count.textContent = `${shown.length} of ${rows.length}`;
  }
  return {
    el: h('div', { class: 'table-wrap' }, table), count,
    set(next) { rows = next; draw(); },
    filter(fn) { filter = fn; draw(); },
  };
}
