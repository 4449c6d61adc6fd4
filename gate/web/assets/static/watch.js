// watch.js follows one ticket: a WebSocket to /queue/v1/ws that reconnects
// with exponential backoff and jitter, a watchdog for sockets that go quiet,
// and polling of /queue/v1/status while sockets keep failing (or do not
// exist). The owner gets every frame or ticket and the connection state.

import { backoff, retryDelay } from './api.js';

/** QUIET_MS is how long a socket may stay silent; the server sends a frame at least every 2 s. */
const QUIET_MS = 7000;
/** FAILURES_BEFORE_POLLING is how many sockets in a row may fail before polling starts. */
const FAILURES_BEFORE_POLLING = 3;

/**
 * Watcher follows a ticket. Handlers:
 *   frame(f)        a WebSocket frame (position, admitted, …)
 *   poll()          fetch the status once and apply it; may throw ApiError
 *   check()         like poll, after a socket closed; errors are its own
 *   conn(state, ms) "connecting" | "connected" | "reconnecting" (ms until
 *                   the next try) | "polling" | "offline"
 */
export class Watcher {
  constructor(ticket, handlers) {
    this.ticket = ticket;
    this.h = handlers;
    this.ws = null;
    this.attempt = 0;
    this.failures = 0;
    this.polling = false;
    this.stopped = false;
    this.timer = null;
    this.watchdog = null;
    this.pollTimer = null;
    this.onOnline = () => {
      if (this.stopped || this.ws) return;
      this.attempt = 0;
      clearTimeout(this.timer);
      this.connect();
    };
    this.onOffline = () => {
      if (!this.stopped && !this.ws) this.h.conn('offline');
    };
  }

  start() {
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    this.stopPolling();
    this.drop(1000);
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/queue/v1/ws?ticket=${encodeURIComponent(this.ticket)}`;
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    if (typeof WebSocket !== 'function') {
      this.startPolling();
      return;
    }
    if (!navigator.onLine) {
      // The 'online' event brings us back; polling would fail as well.
      this.h.conn('offline');
      return;
    }
    if (!this.polling) this.h.conn(this.attempt === 0 ? 'connecting' : 'reconnecting', 0);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.closed();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.failures = 0;
      this.stopPolling();
      this.h.conn('connected');
      this.arm();
    };
    ws.onmessage = (ev) => {
      this.arm();
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (f && typeof f === 'object') this.h.frame(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closed();
    };
  }

  // drop detaches and closes the current socket without waiting for it.
  drop(code) {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code);
    } catch { /* already closing */ }
  }

  // arm restarts the watchdog: a socket that stays silent is treated as
  // dead (a half-open TCP connection sends no close).
  arm() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (!this.ws) return;
      this.drop(4000);
      this.closed();
    }, QUIET_MS);
  }

  closed() {
    clearTimeout(this.watchdog);
    if (this.stopped) return;
    this.failures++;
    // Ask why: the ticket may have been admitted, expired or be unknown
    // (the handshake's 404 is invisible to scripts).
    this.h.check();
    if (this.stopped) return;
    if (this.failures >= FAILURES_BEFORE_POLLING) this.startPolling();
    const delay = backoff(this.attempt++, 1000, 30000);
    if (!this.polling) this.h.conn(navigator.onLine ? 'reconnecting' : 'offline', delay);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  startPolling() {
    if (this.polling || this.stopped) return;
    this.polling = true;
    this.h.conn('polling');
    this.pollTimer = setTimeout(() => this.poll(0), 1500);
  }

  stopPolling() {
    this.polling = false;
    clearTimeout(this.pollTimer);
  }

  async poll(n) {
    if (!this.polling || this.stopped) return;
    let delay = 2500 + Math.random() * 1000;
    try {
      await this.h.poll();
      n = 0;
      if (this.polling && !this.stopped) this.h.conn('polling');
    } catch (e) {
      delay = retryDelay(e, n++);
      if (this.polling && !this.stopped) this.h.conn(navigator.onLine ? 'reconnecting' : 'offline', delay);
    }
    if (!this.polling || this.stopped) return;
    this.pollTimer = setTimeout(() => this.poll(n), delay);
  }
}
