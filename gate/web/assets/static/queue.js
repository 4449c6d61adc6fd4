// queue.js runs the waiting page. Its states, each a panel of #view-queue
// (or the login form):
//
//   login ──► joining ──► prequeue ──► waiting ──► admitted ──► /enroll
//                │  ▲          (opens_at)      │
//                ▼  │                          ▼
//             notopen (425, retried)         expired ──► joining (re-join)
//
// A reload resumes from GET /queue/v1/status with the stored session token;
// the server keeps the place. While waiting, a Watcher streams frames over
// the WebSocket, or polls when sockets fail.

import { t, num, duration, clock, dateTime, onLangChange } from './i18n.js';
import { api, store, errorText, retryDelay, secondsUntil, admissionValid, sessionValid } from './api.js';
import { $, setupHeader, showStudent } from './ui.js';
import { Watcher } from './watch.js';

const PANELS = ['joining', 'waiting', 'prequeue', 'notopen', 'admitted', 'expired'];
/** Positions above this are announced at most every ANNOUNCE_MS. */
const ANNOUNCE_EVERY = 10;
const ANNOUNCE_MS = 15000;

const S = {
  panel: null,
  ticket: null, // the latest Ticket, with position frames merged in
  watcher: null,
  left: false, // the student left the enrollment page on purpose
  conn: { state: 'connecting', until: 0 },
  retryAt: 0, // when the not-open retry fires
  timer: null, // the pending join/resume retry
  announced: { pos: null, at: 0 },
};

function session() {
  return store.session();
}

// ---- views ----

function showLogin(flashKey) {
  stopWatching();
  S.panel = null;
  if (flashKey) flash(flashKey);
  $('view-queue').hidden = true;
  $('view-login').hidden = false;
  $('logout').hidden = true;
  showStudent(null);
  document.title = t('login.title') + ' · classmate';
  $('student-no').focus();
}

function showPanel(name) {
  const changed = S.panel !== name || $('view-queue').hidden;
  $('view-login').hidden = true;
  $('view-queue').hidden = false;
  $('logout').hidden = false;
  S.panel = name;
  for (const p of PANELS) $('q-' + p).hidden = p !== name;
  const pill = $('state-pill');
  const state = { waiting: 'waiting', prequeue: 'prequeue', admitted: 'admitted' }[name];
  pill.hidden = !state;
  if (state) {
    pill.dataset.state = state;
    pill.textContent = t('queue.state.' + state);
  }
  $('conn').hidden = !(name === 'waiting' || name === 'prequeue');
  $('queue-head').hidden = pill.hidden && $('conn').hidden;
  // Keep keyboard and screen-reader users in place: when the focused
  // control disappeared with the old panel, start from the new heading.
  const active = document.activeElement;
  if (changed && (!active || active === document.body || !active.offsetParent)) {
    const heading = $('q-' + name).querySelector('h1');
    if (heading) heading.focus({ preventScroll: true });
  }
}

function flash(key) {
  const box = $('flash');
  box.textContent = t(key);
  box.dataset.key = key;
  box.hidden = false;
}

function announce(text) {
  const live = $('live');
  if (live.textContent !== text) live.textContent = text;
}

// render draws the current panel from S; it runs on every change and on a
// language switch.
function render() {
  const tk = S.ticket;
  if (S.panel === 'waiting' && tk) renderWaiting(tk);
  if (S.panel === 'prequeue' && tk) renderPrequeue(tk);
  if (S.panel === 'expired') {
    $('expired-title').textContent = t(S.left ? 'left.title' : 'expired.title');
    $('expired-body').textContent = t(S.left ? 'left.body' : 'expired.body');
    $('expired-icon').hidden = S.left;
    $('left-icon').hidden = !S.left;
  }
  if (S.panel) showPanel(S.panel);
  renderConn();
  renderClocks();
  const f = $('flash');
  if (!f.hidden && f.dataset.key) f.textContent = t(f.dataset.key);
}

function renderWaiting(tk) {
  const pos = Math.max(1, tk.position || 1);
  const ahead = Number.isFinite(tk.ahead) ? tk.ahead : pos - 1;
  $('position').textContent = num(pos);
  $('ahead').textContent = t('queue.aheadValue', { n: num(ahead) });

  const eta = tk.eta_seconds;
  const range = etaRange(tk);
  let etaText = t('queue.etaUnknown');
  if (pos <= 1 || (Number.isFinite(eta) && eta <= 1)) etaText = t('queue.etaSoon');
  else if (Number.isFinite(eta)) etaText = t('queue.etaValue', { d: duration(eta) });
  $('eta').textContent = etaText;
  $('eta-range').textContent = range && pos > 1 && range[1] > range[0]
    ? t('queue.etaRange', { lo: duration(range[0]), hi: duration(range[1]) }) : '';

  const p = progress(tk);
  $('progress').setAttribute('aria-valuenow', String(p));
  $('progress-bar').style.width = p + '%';
  $('progress-text').textContent = t('queue.progressValue', { p });
  $('q-note').textContent = t(pos <= 1 ? 'queue.head' : 'queue.keepOpen');
  $('draw').hidden = !tk.draw_seed;
  $('draw-commitment').textContent = tk.draw_commitment || '';
  $('draw-seed').textContent = tk.draw_seed || '';
  document.title = `(${num(pos)}) ` + t('queue.label') + ' · classmate';

  const now = Date.now();
  if (S.announced.pos !== pos && (pos <= ANNOUNCE_EVERY || now - S.announced.at >= ANNOUNCE_MS || S.announced.pos === null)) {
    S.announced = { pos, at: now };
    announce(t('live.waiting', { pos: num(pos), ahead: num(ahead) }));
  }
}

function renderPrequeue(tk) {
  const opens = tk.opens_at ? new Date(tk.opens_at) : null;
  $('opens-note').textContent = opens ? t('prequeue.note', { time: dateTime(opens) }) : '';
  const lottery = tk.mode === 'lottery' || Boolean(seedHash(tk));
  $('lottery').hidden = !lottery;
  $('seed-hash').textContent = seedHash(tk) || '';
  $('prequeue-position').textContent = !lottery && tk.position > 0 ? t('prequeue.position', { pos: num(tk.position) }) : '';
  document.title = t('queue.state.prequeue') + ' · classmate';
}

// renderClocks updates the countdowns; it runs every second.
function renderClocks() {
  if (S.panel === 'prequeue' && S.ticket) {
    const left = secondsUntil(S.ticket.opens_at);
    $('opens-in').textContent = Number.isFinite(left) ? clock(left) : '--:--';
    if (left === 0) $('opens-note').textContent = t('prequeue.opening');
  }
  if (S.panel === 'notopen') {
    const s = Math.max(0, Math.ceil((S.retryAt - Date.now()) / 1000));
    $('notopen-auto').textContent = t('notopen.auto', { s });
  }
  if (S.conn.state === 'reconnecting') renderConn();
}

function renderConn() {
  const c = $('conn');
  c.dataset.state = S.conn.state;
  const s = Math.max(1, Math.ceil((S.conn.until - Date.now()) / 1000));
  $('conn-text').textContent = t('conn.' + S.conn.state, { s });
}

function setConn(state, ms) {
  S.conn = { state, until: Date.now() + (ms || 0) };
  renderConn();
}

// etaRange returns the ETA range of a frame or ticket as [low, high]
// seconds, or null when it has none.
function etaRange(f) {
  return Number.isFinite(f.eta_low) && Number.isFinite(f.eta_high) ? [f.eta_low, f.eta_high] : null;
}

// seedHash returns the lottery's commitment (sha256 of the seed), if any.
function seedHash(tk) {
  return tk.draw_commitment || '';
}

// progress returns how far, in percent, the student has come from the
// position first seen for this ticket to the head of the queue.
function progress(tk) {
  const saved = store.ticket() || {};
  let start = saved.ticket === tk.ticket ? saved.start_position : null;
  if (!Number.isFinite(start) || tk.position > start) {
    start = tk.position;
    store.setTicket({ ticket: tk.ticket, start_position: start });
  }
  if (start <= 1) return 100;
  return Math.round(((start - tk.position) / (start - 1)) * 100);
}

// ---- state changes ----

// update applies a Ticket (from join or status) or a position frame.
function update(obj) {
  const prev = S.ticket;
  const sameTicket = prev && (!obj.ticket || obj.ticket === prev.ticket);
  S.ticket = sameTicket ? { ...prev, ...obj } : { ...obj };
  if (!obj.ticket && prev) S.ticket.ticket = prev.ticket;
  const tk = S.ticket;
  switch (tk.state) {
    case 'admitted':
      admitted(tk.admission_token, tk.admission_expires_at);
      return;
    case 'expired':
      expired();
      return;
    case 'prequeue':
      if (S.panel !== 'prequeue') {
        showPanel('prequeue');
        announce(t('live.prequeue', { t: duration(secondsUntil(tk.opens_at) || 0) }));
      }
      renderPrequeue(tk);
      renderClocks();
      break;
    default:
      if (S.panel !== 'waiting') showPanel('waiting');
      renderWaiting(tk);
  }
  watch(tk.ticket);
}

function watch(ticket) {
  if (!ticket || (S.watcher && S.watcher.ticket === ticket)) return;
  stopWatching();
  S.watcher = new Watcher(ticket, {
    frame: onFrame,
    poll: async () => update(await status()),
    check: () => { checkStatus(); },
    conn: setConn,
  });
  S.watcher.start();
}

function stopWatching() {
  if (S.watcher) S.watcher.stop();
  S.watcher = null;
  clearTimeout(S.timer);
}

function onFrame(f) {
  if (f.type === 'admitted') admitted(f.admission_token, f.admission_expires_at);
  else if (f.type === 'position') update(f);
  else if (f.type === 'expired' || f.state === 'expired') expired();
}

async function status() {
  const s = session();
  if (!s) throw new Error('no session');
  return api('GET', '/queue/v1/status', { token: s.token });
}

// checkStatus looks at the ticket after a socket closed.
async function checkStatus() {
  try {
    update(await status());
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') sessionExpired();
    else if (e.code === 'NOT_FOUND') join();
  }
}

async function admitted(token, expiresAt) {
  stopWatching();
  if (!token) {
    // A frame without the token: the status has it.
    try {
      const tk = await status();
      token = tk.admission_token;
      expiresAt = tk.admission_expires_at;
    } catch { /* handled below */ }
    if (!token) {
      S.timer = setTimeout(resume, 1000);
      return;
    }
  }
  store.setAdmission({ token, expires_at: expiresAt });
  store.setTicket(null);
  showPanel('admitted');
  setConn('connected');
  announce(t('live.admitted'));
  document.title = t('admitted.title') + ' · classmate';
  $('admitted-go').focus();
  setTimeout(() => location.replace('/enroll'), 1200);
}

function expired() {
  stopWatching();
  store.setTicket(null);
  S.ticket = null;
  showPanel('expired');
  render();
  announce(t(S.left ? 'left.title' : 'live.expired'));
  document.title = t(S.left ? 'left.title' : 'expired.title') + ' · classmate';
  $('rejoin').focus();
}

function sessionExpired() {
  stopWatching();
  store.clearAll();
  showLogin('flash.sessionExpired');
}

function scheduleRetry(fn, e, attempt, errorBox) {
  const d = retryDelay(e, attempt);
  let msg = errorText(e);
  if (e.code !== 'RATE_LIMITED' && e.code !== 'UNAVAILABLE') msg += ' ' + t('retryIn', { s: Math.ceil(d / 1000) });
  $(errorBox).textContent = msg;
  S.timer = setTimeout(() => fn(attempt + 1), d);
}

async function join(attempt = 0) {
  stopWatching();
  const s = session();
  if (!s) return showLogin();
  showPanel('joining');
  if (attempt === 0) $('q-joining-error').textContent = '';
  try {
    const tk = await api('POST', '/queue/v1/join', { token: s.token });
    $('q-joining-error').textContent = '';
    update(tk);
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') return sessionExpired();
    if (e.code === 'NOT_OPEN') return notOpen(attempt);
    scheduleRetry(join, e, attempt, 'q-joining-error');
  }
}

// resume picks up the student's ticket after a reload.
async function resume(attempt = 0) {
  stopWatching();
  showPanel('joining');
  try {
    update(await status());
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') return sessionExpired();
    if (e.code === 'NOT_FOUND') return join();
    scheduleRetry(resume, e, attempt, 'q-joining-error');
  }
}

function notOpen(attempt) {
  showPanel('notopen');
  const d = Math.min(60000, 10000 * 1.5 ** attempt) * (0.8 + Math.random() * 0.4);
  S.retryAt = Date.now() + d;
  renderClocks();
  S.timer = setTimeout(() => join(attempt + 1), d);
}

async function onLogin(ev) {
  ev.preventDefault();
  const noEl = $('student-no');
  const pwEl = $('password');
  const err = $('login-error');
  const no = noEl.value.trim();
  const pw = pwEl.value;
  noEl.removeAttribute('aria-invalid');
  pwEl.removeAttribute('aria-invalid');
  if (!/^[0-9]{10}$/.test(no)) {
    err.textContent = t('login.invalidNo');
    noEl.setAttribute('aria-invalid', 'true');
    noEl.focus();
    return;
  }
  if (!pw) {
    err.textContent = t('login.noPassword');
    pwEl.setAttribute('aria-invalid', 'true');
    pwEl.focus();
    return;
  }
  err.textContent = '';
  const btn = $('login-submit');
  btn.disabled = true;
  btn.textContent = t('login.busy');
  try {
    const r = await api('POST', '/api/v1/auth/login', { body: { student_no: no, password: pw } });
    store.clearAll();
    store.setSession({ token: r.session_token, expires_at: r.expires_at, student: r.student });
    pwEl.value = '';
    $('flash').hidden = true;
    showStudent(r.student);
    S.left = false;
    await join();
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') {
      err.textContent = t('login.wrong');
      pwEl.setAttribute('aria-invalid', 'true');
      pwEl.select();
    } else {
      err.textContent = errorText(e);
    }
  } finally {
    btn.disabled = false;
    btn.textContent = t('login.submit');
  }
}

function boot() {
  const s = sessionValid() ? session() : null;
  setupHeader(s && s.student);
  onLangChange(() => {
    S.announced.pos = null; // say the place again, in the new language
    render();
  });
  $('login-form').addEventListener('submit', onLogin);
  $('rejoin').addEventListener('click', () => {
    S.left = false;
    $('flash').hidden = true;
    join();
  });
  $('notopen-retry').addEventListener('click', () => {
    clearTimeout(S.timer);
    join();
  });
  $('logout').addEventListener('click', () => {
    stopWatching();
    store.clearAll();
    S.ticket = null;
    S.panel = null;
    showLogin('flash.loggedOut');
  });
  setInterval(renderClocks, 1000);

  const f = store.takeFlash();
  if (f === 'flash.left') S.left = true;
  if (!s) {
    store.clearAll();
    showLogin(f);
    return;
  }
  // After a leave the expired panel itself says so.
  if (f && f !== 'flash.left') flash(f);
  if (admissionValid()) {
    location.replace('/enroll');
    return;
  }
  store.setAdmission(null);
  resume();
}

boot();
