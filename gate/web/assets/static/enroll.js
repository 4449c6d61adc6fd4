// enroll.js runs the enrollment page: it needs the admission token the
// waiting page stored (else it sends the student back to "/"), counts down to
// the admission's end, searches the catalogue, keeps the cart, enrolls with
// one click (one Idempotency-Key per click, reused only to retry that click
// after a network failure, so no click is ever applied twice), and shows the
// timetable with cancel buttons.

import { t, num, clock, day, schedule, onLangChange } from './i18n.js';
import { api, store, errorText, secondsUntil, admissionValid, sessionValid, newKey, sleep } from './api.js';
import { $, h, setupHeader, toast, confirmDialog } from './ui.js';

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const REFRESH_MS = 15000;

const S = {
  session: null,
  adm: null,
  courses: new Map(), // id → the freshest Course seen
  cart: [], // course ids
  cartLoaded: false,
  enrolled: new Map(), // id → enrolled_at
  total: 0,
  max: 18,
  results: [], // course ids
  next: null,
  query: '',
  searchState: 'idle', // idle | loading | ok | unavailable | error
  searchError: '',
  busy: new Map(), // id → "enroll" | "drop" | "cart"
  cooldown: new Map(), // id → ms when enrolling may be tried again
  warned: false,
  over: false,
};

function course(id) {
  return S.courses.get(id);
}

function remember(c) {
  if (c && Number.isFinite(c.id)) S.courses.set(c.id, c);
  return c;
}

// ---- leaving the page ----

function backToQueue(flashKey, delay = 0) {
  store.setAdmission(null);
  if (flashKey) store.setFlash(flashKey);
  setTimeout(() => location.replace('/'), delay);
}

function admissionLost() {
  if (S.over) return;
  S.over = true;
  toast(t('err.ADMISSION_REQUIRED'), 'error');
  backToQueue('flash.admissionEnded', 2500);
}

function sessionLost() {
  if (S.over) return;
  S.over = true;
  toast(t('err.UNAUTHENTICATED'), 'error');
  store.clearAll();
  store.setFlash('flash.sessionExpired');
  setTimeout(() => location.replace('/'), 2500);
}

// fail shows the message for an error of an action on c (which may be
// undefined) and reacts to the codes that change the page's state.
function fail(e, c) {
  switch (e.code) {
    case 'ADMISSION_REQUIRED':
      admissionLost();
      return;
    case 'UNAUTHENTICATED':
      sessionLost();
      return;
    case 'SOLD_OUT':
      if (c) remember({ ...c, remaining: 0 });
      break;
    case 'ALREADY_ENROLLED':
      loadEnrollments();
      break;
    case 'RATE_LIMITED':
      if (c) S.cooldown.set(c.id, Date.now() + Math.max(1, e.retryAfter || 1) * 1000);
      break;
    case 'NOT_ENROLLED':
      loadEnrollments();
      break;
  }
  const msg = errorText(e);
  toast(c ? t('err.withCourse', { title: c.title, msg }) : msg, 'error');
  renderAll();
}

// ---- loading ----

async function loadCart() {
  try {
    const r = await api('GET', '/api/v1/cart', { token: S.session.token });
    S.cart = (r.items || []).map((c) => remember(c).id);
    S.cartLoaded = true;
    renderAll();
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') sessionLost();
    else if (!S.cartLoaded) fail(e);
  }
}

async function loadEnrollments() {
  try {
    const r = await api('GET', '/api/v1/enrollments', { token: S.session.token });
    S.enrolled = new Map((r.items || []).map((it) => [remember(it.course).id, it.enrolled_at]));
    S.total = r.total_credits || 0;
    S.max = r.max_credits || S.max;
    renderAll();
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED') sessionLost();
    else fail(e);
  }
}

// refreshCourse reads the course's live remaining seats.
async function refreshCourse(id) {
  try {
    remember(await api('GET', `/api/v1/courses/${id}`));
    renderAll();
  } catch { /* the lists keep the last known value */ }
}

async function search(more) {
  if (S.searchState === 'loading') return;
  const params = new URLSearchParams(S.query);
  if (more && S.next) params.set('cursor', S.next);
  params.set('limit', '20');
  S.searchState = 'loading';
  renderSearchStatus();
  try {
    const r = await api('GET', '/api/v1/courses?' + params.toString());
    const ids = (r.items || []).map((c) => remember(c).id);
    S.results = more ? S.results.concat(ids) : ids;
    S.next = r.next_cursor || null;
    S.searchState = 'ok';
  } catch (e) {
    if (e.status === 404 || e.status === 405) {
      S.searchState = 'unavailable';
    } else {
      S.searchState = 'error';
      S.searchError = errorText(e);
    }
    if (!more) S.results = [];
    S.next = more ? S.next : null;
  }
  renderAll();
}

// ---- actions ----

// send retries a request after network failures only: the server never saw
// it or its answer was lost, and the Idempotency-Key makes a retry safe.
async function send(fn) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (e.code === 'NETWORK' && i < 2) {
        await sleep(500 * (i + 1));
        continue;
      }
      throw e;
    }
  }
}

async function enroll(id) {
  const c = course(id);
  if (!c || S.busy.has(id) || S.enrolled.has(id) || (S.cooldown.get(id) || 0) > Date.now()) return;
  if (!admissionValid()) {
    admissionLost();
    return;
  }
  S.busy.set(id, 'enroll');
  renderAll();
  // One key per click: a double click never reaches here twice (busy), and
  // a retry of this click after a network error is answered from the
  // server's record of the first attempt.
  const key = newKey();
  try {
    const r = await send(() => api('POST', '/api/v1/enrollments', {
      token: S.adm.token,
      body: { course_id: id },
      headers: { 'Idempotency-Key': key },
    }));
    S.enrolled.set(id, r.enrollment && r.enrollment.enrolled_at);
    S.total = r.total_credits ?? S.total + c.credits;
    toast(t('toast.enrolled', { title: c.title, total: num(S.total) }), 'ok');
    S.busy.delete(id);
    renderAll();
    loadEnrollments();
    refreshCourse(id);
  } catch (e) {
    S.busy.delete(id);
    fail(e, c);
    if (e.code === 'SOLD_OUT') refreshCourse(id);
  }
}

async function drop(id) {
  const c = course(id);
  if (!c || S.busy.has(id)) return;
  const ok = await confirmDialog(t('drop.title', { title: c.title }), t('drop.body'), t('drop.ok'));
  if (!ok) return;
  if (!admissionValid()) {
    admissionLost();
    return;
  }
  S.busy.set(id, 'drop');
  renderAll();
  try {
    await send(() => api('DELETE', `/api/v1/enrollments/${id}`, { token: S.adm.token }));
    S.enrolled.delete(id);
    S.total = Math.max(0, S.total - c.credits);
    toast(t('toast.dropped', { title: c.title }), 'ok');
    S.busy.delete(id);
    renderAll();
    loadEnrollments();
    refreshCourse(id);
  } catch (e) {
    S.busy.delete(id);
    fail(e, c);
  }
}

async function cart(id, add) {
  const c = course(id);
  if (!c || S.busy.has(id)) return;
  S.busy.set(id, 'cart');
  renderAll();
  try {
    await send(() => api(add ? 'PUT' : 'DELETE', `/api/v1/cart/${id}`, { token: S.session.token }));
    if (add) {
      if (!S.cart.includes(id)) S.cart.push(id);
    } else {
      S.cart = S.cart.filter((x) => x !== id);
    }
    toast(t(add ? 'toast.carted' : 'toast.uncarted', { title: c.title }), 'ok', 3000);
  } catch (e) {
    fail(e, c);
  } finally {
    S.busy.delete(id);
    renderAll();
  }
}

async function leave() {
  const ok = await confirmDialog(t('leave.title'), t('leave.body'), t('leave.ok'));
  if (!ok) return;
  const btn = $('leave');
  btn.disabled = true;
  try {
    await api('POST', '/queue/v1/leave', { token: S.adm.token });
  } catch (e) {
    if (e.code === 'NETWORK') {
      btn.disabled = false;
      fail(e);
      return;
    }
    // Any answer means the admission is gone or was never valid.
  }
  store.setTicket(null);
  S.over = true;
  backToQueue('flash.left');
}

// ---- rendering ----

function seatsBadge(c) {
  const r = Math.max(0, c.remaining ?? 0);
  const level = r === 0 ? 'none' : r <= Math.max(3, Math.ceil(c.capacity * 0.1)) ? 'low' : 'ok';
  return h('span', {
    class: 'seats', 'data-level': level,
    title: t('course.seatsLabel', { r: num(r), c: num(c.capacity) }),
  }, r === 0 ? `${t('course.soldout')} · 0 / ${num(c.capacity)}` : t('course.seats', { r: num(r), c: num(c.capacity) }));
}

function enrollButton(c, where) {
  const key = `enroll-${where}-${c.id}`;
  if (S.enrolled.has(c.id)) {
    return h('button', { type: 'button', class: 'btn btn-done btn-sm', 'aria-disabled': 'true', dataset: { key } }, '✓ ' + t('course.enrolled'));
  }
  const busy = S.busy.get(c.id);
  const wait = Math.ceil(((S.cooldown.get(c.id) || 0) - Date.now()) / 1000);
  let label = t('course.enroll');
  if (busy === 'enroll') label = t('course.enrolling');
  else if (wait > 0) label = t('course.wait', { s: wait });
  // A full course can still free a seat (someone drops it): the button
  // stays, in a quieter colour.
  const full = (c.remaining ?? 1) <= 0;
  return h('button', {
    type: 'button', class: full ? 'btn btn-secondary btn-sm' : 'btn btn-primary btn-sm',
    'aria-label': t('course.enrollLabel', { title: c.title }),
    'aria-busy': busy === 'enroll' ? 'true' : null,
    disabled: Boolean(busy) || wait > 0,
    dataset: { act: 'enroll', id: c.id, key },
  }, label);
}

function courseItem(c, where) {
  const inCart = S.cart.includes(c.id);
  const actions = [];
  if (where === 'cart') {
    actions.push(h('button', {
      type: 'button', class: 'btn btn-ghost btn-sm',
      'aria-label': t('course.removeCartLabel', { title: c.title }),
      disabled: Boolean(S.busy.get(c.id)),
      dataset: { act: 'uncart', id: c.id, key: `uncart-${c.id}` },
    }, t('course.removeCart')));
  } else if (!S.enrolled.has(c.id)) {
    actions.push(h('button', {
      type: 'button', class: 'btn btn-secondary btn-sm',
      'aria-label': t('course.addCartLabel', { title: c.title }),
      disabled: inCart || Boolean(S.busy.get(c.id)),
      dataset: { act: 'cart', id: c.id, key: `cart-${c.id}` },
    }, inCart ? t('course.inCart') : t('course.addCart')));
  }
  actions.push(enrollButton(c, where));
  return h('li', { class: 'course' + (S.enrolled.has(c.id) ? ' is-enrolled' : ''), dataset: { id: c.id } },
    h('div', { class: 'course-main' },
      h('div', { class: 'course-head' },
        h('h3', { class: 'course-title' }, c.title),
        h('span', { class: 'course-code' }, c.code)),
      h('p', { class: 'course-meta' }, [c.professor, c.department, t('course.credits', { n: c.credits })].filter(Boolean).join(' · ')),
      h('p', { class: 'course-when' }, [schedule(c.schedule), c.room].filter(Boolean).join(' · '))),
    h('div', { class: 'course-side' }, seatsBadge(c), h('div', { class: 'actions' }, actions)));
}

function renderCart() {
  const list = $('cart');
  const items = S.cart.map(course).filter(Boolean);
  $('cart-count').textContent = S.cartLoaded ? t('cart.count', { n: num(items.length) }) : '';
  if (!S.cartLoaded) {
    list.replaceChildren(h('li', { class: 'empty' }, t('search.loading')));
  } else if (items.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, t('cart.empty')));
  } else {
    list.replaceChildren(...items.map((c) => courseItem(c, 'cart')));
  }
}

function renderSearchStatus() {
  const st = $('search-status');
  st.classList.toggle('form-error', S.searchState === 'error');
  switch (S.searchState) {
    case 'loading': st.textContent = t('search.loading'); break;
    case 'unavailable': st.textContent = t('search.unavailable'); break;
    case 'error': st.textContent = S.searchError; break;
    case 'ok': st.textContent = S.results.length ? t('search.count', { n: num(S.results.length) }) : t('search.none'); break;
    default: st.textContent = '';
  }
}

function renderResults() {
  renderSearchStatus();
  $('results').replaceChildren(...S.results.map(course).filter(Boolean).map((c) => courseItem(c, 'search')));
  $('more').hidden = !(S.searchState === 'ok' && S.next);
}

function minutes(hhmm) {
  const [hh, mm] = String(hhmm).split(':').map(Number);
  return hh * 60 + mm;
}

function colour(id) {
  return 'c' + (((id % 8) + 8) % 8);
}

function renderTimetable() {
  const items = [...S.enrolled.keys()].map(course).filter(Boolean);
  let lo = 9 * 60;
  let hi = 18 * 60;
  for (const c of items) {
    for (const s of c.schedule || []) {
      lo = Math.min(lo, Math.floor(minutes(s.start) / 60) * 60);
      hi = Math.max(hi, Math.ceil(minutes(s.end) / 60) * 60);
    }
  }
  const span = hi - lo;
  const pct = (m) => `${((m - lo) / span) * 100}%`;

  const head = h('div', { class: 'tt-head', 'aria-hidden': 'true' }, h('div'), DAYS.map((d) => h('div', {}, day(d))));
  const times = h('div', { class: 'tt-times', 'aria-hidden': 'true' });
  for (let m = lo; m < hi; m += 60) {
    const label = h('span', { class: 'tt-time' }, String(m / 60).padStart(2, '0'));
    label.style.top = `calc(${pct(m)} + 9px)`;
    times.append(label);
  }
  const cols = DAYS.map((d) => {
    const col = h('div', { class: 'tt-day', role: 'list', 'aria-label': t('dayLong.' + d) });
    for (const c of items) {
      for (const s of c.schedule || []) {
        if (s.day !== d) continue;
        const block = h('div', { class: 'tt-block ' + colour(c.id), role: 'listitem' },
          h('b', {}, c.title),
          h('span', {}, c.room || ''));
        block.style.top = pct(minutes(s.start));
        block.style.height = `calc(${((minutes(s.end) - minutes(s.start)) / span) * 100}% - 2px)`;
        block.title = `${c.title} · ${day(d)} ${s.start}–${s.end}${c.room ? ' · ' + c.room : ''}`;
        col.append(block);
      }
    }
    return col;
  });
  const body = h('div', { class: 'tt-body' }, times, cols);
  body.style.setProperty('--hours', String(span / 60));
  $('timetable').replaceChildren(head, body);
  $('tt-caption').textContent = items.length ? '' : t('tt.empty');

  const total = S.total;
  $('credits-text').textContent = t('tt.creditsValue', { t: num(total), m: num(S.max) });
  const bar = $('credits-bar');
  bar.setAttribute('aria-valuemax', String(S.max));
  bar.setAttribute('aria-valuenow', String(total));
  bar.setAttribute('aria-valuetext', t('tt.creditsValue', { t: num(total), m: num(S.max) }));
  $('credits-fill').style.width = `${Math.min(100, (total / Math.max(1, S.max)) * 100)}%`;

  $('enrolled').replaceChildren(...items
    .sort((a, b) => String(S.enrolled.get(a.id)).localeCompare(String(S.enrolled.get(b.id))))
    .map((c) => h('li', { dataset: { id: c.id } },
      h('span', { class: 'swatch ' + colour(c.id), 'aria-hidden': 'true' }),
      h('div', { class: 'course-main' },
        h('div', { class: 'course-head' }, h('strong', {}, c.title), h('span', { class: 'course-code' }, c.code)),
        h('p', { class: 'course-when' }, [schedule(c.schedule), t('course.credits', { n: c.credits })].join(' · '))),
      h('button', {
        type: 'button', class: 'btn btn-danger-ghost btn-sm',
        'aria-label': t('course.dropLabel', { title: c.title }),
        disabled: Boolean(S.busy.get(c.id)),
        dataset: { act: 'drop', id: c.id, key: `drop-${c.id}` },
      }, t('course.drop')))));
}

// renderAll redraws the lists, keeping the keyboard focus on the same
// control.
function renderAll() {
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
  renderCart();
  renderResults();
  renderTimetable();
  if (focused) {
    const el = document.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (el) el.focus();
  }
}

function tick() {
  const left = secondsUntil(S.adm.expires_at);
  const timer = $('timer');
  $('timer-value').textContent = Number.isFinite(left) ? clock(left) : '--:--';
  timer.dataset.warn = String(left <= 60);
  timer.dataset.over = String(left <= 0);
  if (left <= 60 && left > 0 && !S.warned) {
    S.warned = true;
    toast(t('timer.warn'), 'info', 8000);
  }
  if (left <= 0 && !S.over) {
    S.over = true;
    $('over').showModal();
    backToQueue('flash.admissionEnded', 4000);
  }
  if ([...S.cooldown.values()].some((until) => until > Date.now() - 1000)) renderAll();
}

function onClick(ev) {
  const btn = ev.target.closest('button[data-act]');
  if (!btn || btn.disabled) return;
  const id = Number(btn.dataset.id);
  switch (btn.dataset.act) {
    case 'enroll': enroll(id); break;
    case 'drop': drop(id); break;
    case 'cart': cart(id, true); break;
    case 'uncart': cart(id, false); break;
  }
}

function boot() {
  S.session = sessionValid() ? store.session() : null;
  S.adm = store.admission();
  if (!S.session) {
    store.clearAll();
    store.setFlash('flash.sessionExpired');
    location.replace('/');
    return;
  }
  if (!admissionValid()) {
    // Straight to /enroll without an admission: no message, just the queue.
    backToQueue(S.adm ? 'flash.admissionEnded' : null);
    return;
  }
  setupHeader(S.session.student);
  if (S.session.student && S.session.student.max_credits) S.max = S.session.student.max_credits;
  const f = store.takeFlash();
  if (f) {
    $('flash').textContent = t(f);
    $('flash').hidden = false;
  }
  onLangChange(() => {
    renderAll();
    tick();
  });
  document.querySelector('main').addEventListener('click', onClick);
  $('leave').addEventListener('click', leave);
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const name of ['q', 'department', 'day', 'credits']) {
      const v = $(name).value.trim();
      if (v) p.set(name, v);
    }
    S.query = p.toString();
    S.next = null;
    search(false);
  });
  $('more').addEventListener('click', () => search(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      tick();
      loadCart();
    }
  });

  renderAll();
  tick();
  setInterval(tick, 1000);
  setInterval(() => {
    if (document.visibilityState === 'visible' && !S.over) loadCart();
  }, REFRESH_MS);
  loadCart();
  loadEnrollments();
  search(false);
  document.title = t('enroll.title') + ' · classmate';
}

boot();
