// hallstream.js: the live hall state shared by every page.
//
// Connects to GET /ws/v1/halls/{hall}[?since=S], keeps the state of the first
// snapshot up to date with each event (the reducer below), and reconnects with
// exponential backoff (0.5 s doubling to 10 s, with jitter) passing since=<last
// seq seen>. A gap in seq, or day.started, makes it reconnect (a gap with
// since=, so the server replays what was missed; day.started without, so a
// fresh snapshot of the new day arrives).
//
//   const hs = await openHallStream();          // hall id from GET /api/v1/hall
//   hs.on('snapshot', (state) => renderAll(state));
//   hs.on('event', (ev, state) => renderSome(ev, state));
//   hs.on('call', (call) => announce(call));     // ticket.called / ticket.recalled
//   hs.on('status', (s) => …);                   // 'connecting' | 'open' | 'offline'
//
// window.hallqStream is the last stream opened (for tests and debugging).

import { getHall, api, hallPath } from './api.js';

const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;
const MAX_RECENT = 50;
const AUX_REFRESH_MS = 60000;

export class HallStream {
  constructor(hall, opts = {}) {
    this.hall = hall;
    this.seq = null;          // last seq applied
    this.state = null;        // {services, counters, recent_calls, devices, hall, day}
    this.status = 'connecting';
    this.maxRecent = opts.maxRecent || MAX_RECENT;
    this._h = { snapshot: [], event: [], call: [], status: [] };
    this._ws = null;
    this._backoff = BACKOFF_MIN;
    this._timer = null;
    this._fresh = true;       // next connect without since=
    this._stopped = false;
    this._auxTimer = null;
    this._auxSoon = null;
  }

  on(type, fn) {
    (this._h[type] || (this._h[type] = [])).push(fn);
    if (type === 'snapshot' && this.state) {
      fn(this.state, this.seq);
    }
    if (type === 'status') {
      fn(this.status);
    }
    return this;
  }

  _emit(type, ...args) {
    for (const fn of this._h[type] || []) {
      try {
        fn(...args);
      } catch (e) {
        console.error('hallstream', type, 'handler:', e);
      }
    }
  }

  _setStatus(s) {
    if (this.status !== s) {
      this.status = s;
      this._emit('status', s);
    }
  }

  start() {
    this._stopped = false;
    this._connect();
    if (!this._auxTimer) {
      this._auxTimer = setInterval(() => this.refreshAux(), AUX_REFRESH_MS);
    }
    window.addEventListener('online', () => {
      if (!this._ws || this._ws.readyState > 1) {
        this._reconnectNow();
      }
    });
    return this;
  }

  stop() {
    this._stopped = true;
    clearTimeout(this._timer);
    clearInterval(this._auxTimer);
    this._auxTimer = null;
    this._drop();
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let u = `${proto}//${location.host}/ws/v1/halls/${encodeURIComponent(this.hall)}`;
    if (!this._fresh && this.seq != null) {
      u += `?since=${this.seq}`;
    }
    return u;
  }

  _connect() {
    clearTimeout(this._timer);
    this._timer = null;
    if (this._stopped) {
      return;
    }
    this._setStatus(this.state ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this._schedule();
      return;
    }
    this._ws = ws;
    ws.onmessage = (m) => {
      if (this._ws === ws) {
        this._onMessage(m.data);
      }
    };
    ws.onclose = () => {
      if (this._ws === ws) {
        this._ws = null;
        this._setStatus('offline');
        this._schedule();
      }
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  _drop() {
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch (_) { /* ignore */ }
    }
  }

  _schedule() {
    if (this._stopped || this._timer) {
      return;
    }
    const base = this._backoff;
    const delay = base / 2 + Math.random() * base / 2;   // "equal jitter"
    this._backoff = Math.min(base * 2, BACKOFF_MAX);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  // Drop the socket and connect again after the current backoff.
  _restart(fresh) {
    this._drop();
    if (fresh) {
      this._fresh = true;
    }
    this._setStatus('reconnecting');
    this._schedule();
  }

  _reconnectNow() {
    this._drop();
    clearTimeout(this._timer);
    this._timer = null;
    this._connect();
  }

  _onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (_) {
      return;
    }
    if (!msg || typeof msg !== 'object') {
      return;
    }
    if (msg.type === 'snapshot') {
      this._applySnapshot(msg.state || {}, msg.seq);
      return;
    }
    if (msg.type !== 'event' || !msg.event) {
      return;
    }
    if (this.state == null || this.seq == null) {
      // Events without a snapshot to apply them to: ask for a fresh one.
      this._restart(true);
      return;
    }
    const seq = Number(msg.seq);
    if (seq <= this.seq) {
      return;                          // already applied (replay overlap)
    }
    if (seq !== this.seq + 1) {
      this._restart(false);            // gap: reconnect with since=last seq
      return;
    }
    this.seq = seq;
    this._backoff = BACKOFF_MIN;
    this._setStatus('open');
    const ev = msg.event;
    applyEvent(this.state, ev, this.maxRecent);
    this._emit('event', ev, this.state, seq);
    if (ev.kind === 'ticket.called' || ev.kind === 'ticket.recalled') {
      this._emit('call', {
        kind: ev.kind,
        recall: ev.kind === 'ticket.recalled',
        ticket: ev.ticket,
        ticket_id: ev.ticket_id,
        counter: ev.counter,
        service: ev.service,
        at: ev.at,
        recalls: ev.recalls,
        seq,
      });
    }
    if ((ev.kind === 'counter.opened' || ev.kind === 'staff.signed_in') && ev.counter) {
      this._auxSoonRefresh();          // staff cards come with the snapshot only
    }
    if (ev.kind === 'day.started') {
      this._restart(true);
    }
  }

  _applySnapshot(state, seq) {
    this.state = normalize(state);
    this.seq = Number(seq);
    this._fresh = false;
    this._backoff = BACKOFF_MIN;
    this._setStatus('open');
    this._emit('snapshot', this.state, this.seq);
  }

  _auxSoonRefresh() {
    clearTimeout(this._auxSoon);
    this._auxSoon = setTimeout(() => this.refreshAux(), 800);
  }

  // Merges what events do not carry (staff names, estimated waits) from
  // GET /api/v1/halls/{hall}/snapshot. When that snapshot is at exactly our
  // seq it is authoritative and waiting counts are taken from it too.
  async refreshAux() {
    if (!this.state) {
      return;
    }
    let snap;
    try {
      snap = await api('GET', hallPath(this.hall, '/snapshot'));
    } catch (_) {
      return;
    }
    if (!snap || !snap.state || !this.state) {
      return;
    }
    const exact = Number(snap.seq) === this.seq;
    let changed = false;
    for (const c of snap.state.counters || []) {
      const mine = this.state.counterById.get(String(c.id));
      const card = c.staff || null;
      const theirs = card ? String(card.id) : null;
      if (mine && (exact || mine.staff_id === theirs) && JSON.stringify(mine.staff) !== JSON.stringify(card)) {
        setStaff(mine, card);
        changed = true;
      }
    }
    for (const s of snap.state.services || []) {
      const mine = this.state.serviceById.get(String(s.id));
      if (!mine) {
        continue;
      }
      if (exact && mine.waiting !== s.waiting) {
        mine.waiting = s.waiting;
        changed = true;
      }
      if (s.est_wait_s != null) {
        mine._perPerson = s.waiting > 0 ? s.est_wait_s / s.waiting : mine._perPerson;
        const est = exact ? s.est_wait_s : estimate(mine);
        if (mine.est_wait_s !== est) {
          mine.est_wait_s = est;
          changed = true;
        }
      }
    }
    if (changed) {
      this._emit('event', { kind: 'local.refresh' }, this.state, this.seq);
    }
  }
}

// ---- the reducer ----------------------------------------------------------

function normalize(st) {
  const state = {
    services: (st.services || []).map((s) => ({ ...s, id: String(s.id) })),
    counters: (st.counters || []).map((c) => {
      const n = { ...c, id: String(c.id) };
      setStaff(n, c.staff || (c.staff_id ? { id: c.staff_id } : null));
      return n;
    }),
    recent_calls: (st.recent_calls || []).map((r) => ({ ...r, counter: r.counter == null ? r.counter : String(r.counter) })),
    devices: (st.devices || []).map((d) => ({ ...d })),
    hall: st.hall ? { ...st.hall } : {},
    day: st.day || null,
  };
  for (const s of state.services) {
    s._perPerson = s.waiting > 0 && s.est_wait_s != null ? s.est_wait_s / s.waiting : null;
  }
  reindex(state);
  return state;
}

function reindex(state) {
  state.serviceById = new Map(state.services.map((s) => [s.id, s]));
  state.counterById = new Map(state.counters.map((c) => [c.id, c]));
  state.deviceById = new Map(state.devices.map((d) => [d.id, d]));
}

function estimate(svc) {
  if (svc.waiting === 0) {
    return 0;
  }
  if (svc._perPerson != null) {
    return Math.round(svc._perPerson * svc.waiting);
  }
  return svc.est_wait_s ?? null;
}

// The event kinds whose ticket becomes the counter's current one.
const SETS_CURRENT = new Set(['ticket.called', 'ticket.recalled', 'ticket.serving', 'ticket.resumed']);

// setStaff puts a staff card ({id, name, staff_no, unit} or null) on a
// counter, with the flat staff_id / staff_name older page code reads.
export function setStaff(c, card) {
  c.staff = card ? { id: String(card.id), name: card.name ?? null, staff_no: card.staff_no ?? null, unit: card.unit ?? null } : null;
  c.staff_id = c.staff ? c.staff.id : null;
  c.staff_name = c.staff ? c.staff.name : null;
}

export function applyEvent(state, ev, maxRecent = MAX_RECENT) {
  const counterId = ev.counter == null ? null : String(ev.counter);
  if (counterId != null && ev.counter_status) {
    let c = state.counterById.get(counterId);
    if (!c) {
      c = { id: counterId, name: { zh: counterId, en: counterId }, status: 'closed', ticket: null, service: null };
      state.counters.push(c);
      state.counterById.set(counterId, c);
    }
    c.status = ev.counter_status;
    if (c.status === 'called' || c.status === 'serving') {
      // Only a kind that makes its ticket the counter's current one may set
      // the tile's number: a rating, hold or transfer names another ticket
      // while the counter's status is still "called" (docs/websocket.md).
      if (SETS_CURRENT.has(ev.kind)) {
        c.ticket = ev.ticket ?? c.ticket ?? null;
        c.service = ev.service ?? c.service ?? null;
      }
    } else {
      c.ticket = null;
      c.service = null;
    }
    if ((ev.kind === 'counter.opened' || ev.kind === 'staff.signed_in') && ev.staff_id !== undefined && ev.staff_id !== c.staff_id) {
      setStaff(c, ev.staff_id ? { id: ev.staff_id, name: null, staff_no: null, unit: null } : null);
    }
    if (ev.kind === 'counter.closed') {
      setStaff(c, null);
    }
    if (ev.kind === 'counter.paused') {
      c.pause_reason = ev.reason ?? null;
    } else if (ev.kind === 'counter.resumed' || ev.kind === 'counter.opened' || ev.kind === 'counter.closed') {
      c.pause_reason = null;
    }
  }
  if (ev.kind === 'ticket.called' || ev.kind === 'ticket.recalled') {
    state.recent_calls.unshift({ ticket: ev.ticket, counter: counterId, at: ev.at, ticket_id: ev.ticket_id, service: ev.service, recall: ev.kind === 'ticket.recalled' });
    if (state.recent_calls.length > maxRecent) {
      state.recent_calls.length = maxRecent;
    }
  }
  if (ev.service != null && typeof ev.waiting === 'number') {
    const s = state.serviceById.get(String(ev.service));
    if (s) {
      s.waiting = ev.waiting;
      s.est_wait_s = ev.est_wait_s ?? estimate(s);
    }
  }
  if (ev.kind === 'ticket.issued' && ev.service != null && typeof ev.n === 'number') {
    const s = state.serviceById.get(String(ev.service));
    if (s && !(s.issued >= ev.n)) {
      s.issued = ev.n;                 // numbers issued today (the quota counts them)
    }
  }
  if (ev.kind === 'device.online' || ev.kind === 'device.offline') {
    const id = String(ev.device);
    let d = state.deviceById.get(id);
    if (!d) {
      d = { id, kind: ev.device_kind || null, online: false, counter: counterId };
      state.devices.push(d);
      state.deviceById.set(id, d);
    }
    d.online = ev.online ?? (ev.kind === 'device.online');
    d.since = ev.at;
  }
  if (ev.kind === 'notice.set') {
    const tx = ev.text;
    state.hall.notice = tx == null ? null : (typeof tx === 'string' ? { zh: tx, en: tx } : tx);
  }
  if (ev.kind === 'day.started' && ev.day) {
    state.day = ev.day;
  }
  return state;
}

// Opens the stream of this page's hall (GET /api/v1/hall, or ?hall=).
export async function openHallStream(opts = {}) {
  const hall = opts.hall || (await getHall()).id;
  const hs = new HallStream(hall, opts);
  window.hallqStream = hs;
  return hs;
}

// Name of a counter / service by id from the state (falls back to the id).
export function counterName(state, id) {
  const c = state && state.counterById.get(String(id));
  return c ? c.name : { zh: `${id}号窗口`, en: `Window ${id}` };
}

export function serviceName(state, id) {
  const s = state && state.serviceById.get(String(id));
  return s ? s.name : { zh: String(id ?? ''), en: String(id ?? '') };
}

// Wires a connection indicator element (data-testid="conn-status").
export function bindConnIndicator(hs, node, t) {
  if (!node) {
    return;
  }
  const upd = (s) => {
    node.dataset.state = s;
    const key = s === 'open' ? 'conn.ok' : (s === 'connecting' ? 'conn.connecting' : 'conn.offline');
    node.title = t(key);
    const label = node.querySelector('.conn-label');
    if (label) {
      label.textContent = s === 'open' ? '' : t(key);
    }
  };
  hs.on('status', upd);
  return upd;
}
