// The console's one way to the platform: the REST API, with the session cookie the browser keeps and the
// CSRF token held here, in memory only. Errors come back as sentences; a lost connection is reported to
// whoever listens, and recovery too.
let csrf = null;
let online = true;
const watchers = new Set();
let onSignedOut = () => {};

export const setCsrf = (token) => { csrf = token; };
export const watchConnection = (fn) => watchers.add(fn);
export const whenSignedOut = (fn) => { onSignedOut = fn; };
function connected(value) {
  if (online === value) return;
  online = value;
  watchers.forEach((fn) => fn(value));
}

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

const meanings = {
  400: 'The request was not accepted', 401: 'You are signed out', 403: 'Not allowed', 404: 'Not found',
  409: 'Not possible now', 413: 'Too large', 422: 'Not valid', 429: 'Too many attempts; wait a moment',
  502: 'The container runtime failed', 503: 'Unavailable for now', 504: 'Timed out',
};

// `etag`: send it as If-None-Match and answer {notModified} on 304, {data, etag} otherwise. A write
// refused for its CSRF token (another tab signed in again: a new session, a new token) reads the token
// afresh and is sent once more.
export async function api(method, path, body, { etag, retried } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (etag) headers['If-None-Match'] = etag;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    connected(false);
    throw new ApiError(0, 'The platform cannot be reached; the console keeps trying.');
  }
  connected(true);
  if (res.status === 304) return { notModified: true };
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    if (res.status === 403 && method !== 'GET' && !retried && data && /X-CSRF-Token/.test(data.error || '')) {
      const state = await api('GET', '/api/auth/session');
      if (state.signed_in) {
        setCsrf(state.csrf_token);
        return api(method, path, body, { etag, retried: true });
      }
      onSignedOut();
    }
    if (res.status === 401 && path !== '/api/auth/session') onSignedOut();
    const detail = data && typeof data.error === 'string' ? data.error : res.statusText;
    const head = meanings[res.status] || `Error ${res.status}`;
    throw new ApiError(res.status, `${head}: ${detail}${data && data.request_id ? ` (request ${data.request_id})` : ''}`);
  }
  return etag !== undefined ? { data, etag: res.headers.get('ETag') } : data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
export const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const t = s.toString();
  return t ? `?${t}` : '';
};
export const enc = encodeURIComponent;

// Runs `task` now and every `ms` until stopped; a failure waits for the next turn (the banner tells).
export function every(ms, task) {
  let timer = null; let stopped = false;
  const turn = async () => {
    try { await task(); } catch (e) { if (e.status !== 0) console.warn(e.message); }
    if (!stopped) timer = setTimeout(turn, ms);
  };
  turn();
  return () => { stopped = true; clearTimeout(timer); };
}
