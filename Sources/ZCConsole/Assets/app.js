// The console's shell: who is signed in, the navigation, the router (`#/…` addresses), sign-in and
// sign-out, and the banner that says when the platform cannot be reached.
import { get, post, setCsrf, watchConnection, whenSignedOut } from './api.js';
import { h, clear, field } from './dom.js';
import { setSession, signedInUser, isSuper } from './session.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const banner = document.getElementById('banner');
let leave = () => {};
let routing = 0;

const pages = {
  fleet: () => import('./fleet.js'), tenant: () => import('./tenant.js'), audit: () => import('./audit.js'),
  alerts: () => import('./audit.js'), users: () => import('./admin.js'), nodes: () => import('./admin.js'),
  rollouts: () => import('./rollouts.js'),
};

function parse() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'tenants' && parts[1]) return { page: 'tenant', id: parts[1], tab: parts[2] || 'overview' };
  if (['audit', 'alerts', 'users', 'nodes', 'rollouts'].includes(parts[0])) return { page: parts[0] };
  return { page: 'fleet' };
}

function drawNav(route) {
  const links = [['fleet', '#/', 'Fleet']];
  if (isSuper()) links.push(['alerts', '#/alerts', 'Alerts'], ['audit', '#/audit', 'Audit'], ['users', '#/users', 'Users'], ['nodes', '#/nodes', 'Nodes'], ['rollouts', '#/rollouts', 'Rollouts']);
  nav.replaceChildren(...links.map(([key, href, text]) => h('a', { href, 'aria-current': route.page === key || (key === 'fleet' && route.page === 'tenant') ? 'page' : undefined }, text)));
  who.replaceChildren(h('span', {}, signedInUser().email), h('button', { type: 'button', onclick: signOut }, 'Sign out'));
}

// One page at a time: a route that a newer one overtook (a fast click while a module loads) stops what
// it started and draws nothing.
async function route() {
  leave();
  leave = () => {};
  if (!signedInUser()) return;
  const turn = ++routing;
  const target = parse();
  drawNav(target);
  clear(main);
  const module = await pages[target.page]();
  if (turn !== routing) return;
  const stop = await module[target.page](main, target);
  if (turn !== routing) {
    if (typeof stop === 'function') stop();
    return;
  }
  leave = typeof stop === 'function' ? stop : () => {};
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
  if (document.activeElement === document.body || !main.contains(document.activeElement)) main.querySelector('h1')?.focus();
}

async function signedIn(me) {
  setSession(me);
  if (me.csrf_token) setCsrf(me.csrf_token);
  await route().catch(report);
}

async function signOut() {
  try {
    await post('/api/auth/logout');
  } catch (err) {
    // Signed out already (401) is signed out; anything else is not, and is said.
    if (err.status !== 401) { report(err); return; }
  }
  setCsrf(null);
  showLogin('You are signed out.');
}

function showLogin(note) {
  leave();
  leave = () => {};
  setSession(null);
  nav.replaceChildren();
  who.replaceChildren();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const code = h('input', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true });
  const message = h('p', { role: 'alert', class: 'muted' }, note || '');
  const verify = h('form', { hidden: true }, field('Code from the email', code), h('button', { class: 'primary' }, 'Sign in'));
  const request = h('form', {}, field('Email', email), h('button', { class: 'primary' }, 'Email me a code'));
  const begin = async (body) => {
    const answer = await post('/api/auth/session', body);
    setCsrf(answer.csrf_token);
    if (!location.hash) location.hash = '#/';
    await signedIn(await get('/api/auth/session'));
  };
  const guard = (fn) => async (e) => {
    e.preventDefault();
    const button = e.target.querySelector('button');
    button.disabled = true;
    try { await fn(); } catch (err) { message.textContent = err.message; } finally { button.disabled = false; }
  };
  request.addEventListener('submit', guard(async () => {
    await post('/api/auth/otp/request', { email: email.value });
    message.textContent = `If ${email.value} belongs to a user, a code is on its way.`;
    verify.hidden = false;
    code.focus();
  }));
  verify.addEventListener('submit', guard(() => begin({ email: email.value, code: code.value.trim() })));
  const pasted = h('form', {}, field('API token (kept only as a session cookie)', token), h('button', {}, 'Sign in with the token'));
  pasted.addEventListener('submit', guard(() => begin({ token: token.value.trim() })));
  main.replaceChildren(h('section', { class: 'login panel' }, h('h1', {}, 'Sign in to zcplatform'), request, verify, message,
    h('details', {}, h('summary', {}, 'Use an API token instead'), pasted)));
  email.focus();
}

watchConnection((ok) => {
  banner.hidden = ok;
  banner.textContent = ok ? '' : 'The platform cannot be reached. The console keeps trying and recovers by itself.';
});
whenSignedOut(() => { if (signedInUser()) showLogin('Your session has ended; sign in again.'); });
window.addEventListener('hashchange', () => { route().catch(report); });
// The skip link moves focus; it is not an address for the router.
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
function report(err) { main.append(h('p', { role: 'alert' }, err.message)); }

// Signed in already (the cookie is there and alive)? The answer is a 200 either way.
(async () => {
  try {
    const state = await get('/api/auth/session');
    if (state.signed_in) await signedIn(state);
    else showLogin('');
  } catch (err) {
    showLogin(err.message);
  }
})();
