// Line and bar charts drawn as SVG by the console itself: a value readout follows the pointer (or the
// arrow keys once the chart has focus), and the chart's label states the latest and highest values.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 480, H = 200, L = 62, R = 8, T = 8, B = 20;
function s(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}
const timeLabel = (t, span) => new Date(t).toLocaleString([], span > 86400e3 ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' });

// series: [{label, points: [{t (ms), v}], cls}]; limit: a horizontal line; format: value → text.
export function chart({ title, series, limit, format, bars = false, empty = 'No data in this range yet.' }) {
  const all = series.flatMap((x) => x.points);
  const box = h('figure', { class: 'panel chart' }, h('figcaption', {}, h('b', {}, title)));
  const readout = h('div', { class: 'readout', 'aria-live': 'polite' });
  if (!all.length) { box.append(h('p', { class: 'muted' }, empty)); return box; }
  const t0 = Math.min(...all.map((p) => p.t)), t1 = Math.max(...all.map((p) => p.t));
  const top = Math.max(...all.map((p) => p.v), limit ?? 0) * 1.1 || 1;
  const span = Math.max(1, t1 - t0);
  const x = (t) => L + ((t - t0) / span) * (W - L - R);
  const y = (v) => T + (1 - v / top) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', tabindex: '0' });
  for (const f of [0, 0.5, 1]) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(top * f), y2: y(top * f), class: 'c-grid' }));
    const label = s('text', { x: L - 4, y: y(top * f) + 3, 'text-anchor': 'end', class: 'c-axis' });
    label.textContent = format(top * f);
    svg.append(label);
  }
  for (const t of [t0, t1]) {
    const label = s('text', { x: x(t), y: H - 5, 'text-anchor': t === t0 ? 'start' : 'end', class: 'c-axis' });
    label.textContent = timeLabel(t, span);
    svg.append(label);
  }
  if (limit) svg.append(s('line', { x1: L, x2: W - R, y1: y(limit), y2: y(limit), class: 'c-limit' }));
  for (const [i, line] of series.entries()) {
    if (bars) {
      const w = Math.max(1, ((W - L - R) / Math.max(line.points.length, 1)) * 0.7);
      for (const p of line.points) svg.append(s('rect', { x: x(p.t) - w / 2, y: y(p.v), width: w, height: Math.max(0, y(0) - y(p.v)), class: 'c-barr' }));
    } else {
      svg.append(s('polyline', { points: line.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '), class: line.cls || (i ? 'c-line2' : 'c-line') }));
    }
  }
  const cursor = s('line', { y1: T, y2: H - B, class: 'c-cursor', visibility: 'hidden' });
  svg.append(cursor);
  const times = [...new Set(all.map((p) => p.t))].sort((a, b) => a - b);
  let index = times.length - 1;
  function show(i) {
    index = Math.max(0, Math.min(times.length - 1, i));
    const t = times[index];
    cursor.setAttribute('x1', x(t)); cursor.setAttribute('x2', x(t)); cursor.setAttribute('visibility', 'visible');
    const parts = series.map((line) => {
      const p = line.points.find((q) => q.t === t);
      return p ? `${line.label} ${format(p.v)}` : null;
    }).filter(Boolean);
    readout.textContent = `${new Date(t).toLocaleString()}: ${parts.join(', ')}${limit ? `, limit ${format(limit)}` : ''}`;
  }
  svg.addEventListener('pointermove', (e) => {
    const r = svg.getBoundingClientRect();
    const t = t0 + (((e.clientX - r.left) / r.width) * W - L) / (W - L - R) * span;
    let best = 0;
    times.forEach((v, i) => { if (Math.abs(v - t) < Math.abs(times[best] - t)) best = i; });
    show(best);
  });
  svg.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft') { show(index - 1); e.preventDefault(); }
    if (e.key === 'ArrowRight') { show(index + 1); e.preventDefault(); }
  });
  svg.addEventListener('focus', () => show(index));
  const last = series[0].points.at(-1), peak = Math.max(...series[0].points.map((p) => p.v));
  svg.setAttribute('aria-label', `${title}: latest ${last ? format(last.v) : 'none'}, highest ${format(peak)}. Arrow keys read each point.`);
  box.append(svg, readout);
  return box;
}
