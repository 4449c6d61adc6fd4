// api.js talks to the gate: JSON requests with the contract's error shape
// turned into ApiError, the tokens kept in sessionStorage (they die with the
// tab, never reach other tabs or disk), and the server's clock, so that
// countdowns to server times are right even when the device's clock is off.

import { t } from './i18n.js';

const K = {
  session: 'classmate.session', // {token, expires_at, student}
  ticket: 'classmate.ticket', // {ticket, start_position}
  admission: 'classmate.admission', // {token, expires_at}
  flash: 'classmate.flash', // text key shown once on the next page
  offset: 'classmate.clock', // server clock minus device clock, in ms
};

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function write(key, v) {
  try {
    if (v === null || v === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(v));
  } catch { /* private mode without storage: the page still works until reload */ }
}

/** store reads and writes the tab's tokens and state. */
export const store = {
  session: () => read(K.session),
  setSession: (v) => write(K.session, v),
  ticket: () => read(K.ticket),
  setTicket: (v) => write(K.ticket, v),
  admission: () => read(K.admission),
  setAdmission: (v) => write(K.admission, v),
  /** takeFlash returns the pending one-time message key and forgets it. */
  takeFlash: () => {
    const v = read(K.flash);
    write(K.flash, null);
    return v;
  },
  setFlash: (key) => write(K.flash, key),
  clearAll: () => {
    for (const k of [K.session, K.ticket, K.admission]) write(k, null);
  },
};

let offset = Number(read(K.offset)) || 0;

/** now returns the server's current time in ms, as best known. */
export function now() {
  return Date.now() + offset;
}

/** secondsUntil returns the whole seconds from now (server time) to an RFC 3339 time. */
export function secondsUntil(rfc3339) {
  const at = Date.parse(rfc3339);
  if (Number.isNaN(at)) return NaN;
  return Math.max(0, Math.ceil((at - now()) / 1000));
}

/** admissionValid reports whether the stored admission token is unexpired. */
export function admissionValid() {
  const a = store.admission();
  return Boolean(a && a.token && secondsUntil(a.expires_at) > 0);
}

/** sessionValid reports whether the stored session token is unexpired. */
export function sessionValid() {
  const s = store.session();
  if (!s || !s.token) return false;
  const left = secondsUntil(s.expires_at);
  return Number.isNaN(left) || left > 0;
}

// learnClock moves the offset towards the server's Date header. The header
// has whole seconds, so differences under 1.5 s are noise and ignored.
function learnClock(resp) {
  const d = Date.parse(resp.headers.get('Date') || '');
  if (Number.isNaN(d)) return;
  const o = d + 500 - Date.now();
  if (Math.abs(o - offset) > 1500) {
    offset = o;
    write(K.offset, o);
  }
}

/**
 * ApiError is an error answer of the API (code from the contract, status,
 * Retry-After in seconds when sent), or a network failure (code "NETWORK",
 * status 0).
 */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * api sends one request and returns the decoded JSON body (null for 204).
 * opts: token (Bearer), body (sent as JSON), headers, signal. Throws
 * ApiError.
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
  const init = { method, headers, cache: 'no-store', signal: opts.signal };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', String(e));
  }
  learnClock(resp);
  if (resp.status === 204) return null;
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (resp.ok) return data;
  const retry = parseInt(resp.headers.get('Retry-After') || '', 10);
  const err = (data && data.error) || {};
  const code = err.code || (resp.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN');
  throw new ApiError(resp.status, code, err.message || resp.statusText, Number.isFinite(retry) ? retry : undefined);
}

/**
 * errorText returns the reader's message for an error: one per contract
 * code, in the current language, with Retry-After filled in.
 */
export function errorText(e) {
  if (!(e instanceof ApiError)) return t('err.INTERNAL');
  const key = 'err.' + e.code;
  const s = Math.max(1, e.retryAfter || 1);
  const msg = t(key, { s, code: e.code });
  return msg === key ? t('err.UNKNOWN', { code: e.code }) : msg;
}

/** retryDelay returns how long to wait before retrying after e, in ms, given the attempt number. */
export function retryDelay(e, attempt) {
  if (e instanceof ApiError && e.retryAfter) return e.retryAfter * 1000 + Math.random() * 500;
  return backoff(attempt);
}

/**
 * backoff returns an exponential delay with jitter for attempt 0, 1, 2, …:
 * a random point in the upper half of min(cap, base·2^attempt), so that
 * clients cut off together do not come back together.
 */
export function backoff(attempt, base = 1000, cap = 30000) {
  const exp = Math.min(cap, base * 2 ** Math.min(attempt, 16));
  return exp / 2 + Math.random() * (exp / 2);
}

/** newKey returns a random Idempotency-Key (32 hex digits). */
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** sleep resolves after ms. */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
