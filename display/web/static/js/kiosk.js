// 自助取号 kiosk: /kiosk#device=kiosk-01&token=PAGE_TOKEN
//
// The device id and its kiosk page token (issued by an admin, not the
// device's MQTT secret: docs/http-api.md) come in the URL fragment (never sent to a server
// or written to a log). They are kept in sessionStorage so that a reload of the
// same tab still works, and the fragment is then removed from the address bar.
// Tickets are taken with POST /api/v1/halls/{hall}/tickets and
// "Authorization: Bearer kiosk-01:SECRET".
//
// URL options: ?lang=en, ?print=1 (window.print() the slip after a ticket; use
// with chromium --kiosk-printing), ?back=15 (seconds before the ticket view
// returns to the menu), ?idle=60 (seconds before an unfinished step does).

import { addStrings, t, pick, pickOther, lang, initToggle, onLangChange, fmtWait } from './i18n.js';
import { citizenError } from './errors.js';
import { api, getHall, hallPath, fmtClock, fmtDate, fmtTimeOf, el, setText, tid, uuid, fitText } from './api.js';
import { openHallStream, serviceName } from './hallstream.js';

addStrings({
  'kiosk.title': { zh: '自助取号', en: 'Take a ticket' },
  'kiosk.choose': { zh: '请选择办理业务', en: 'Please choose a service' },
  'kiosk.choose.green': { zh: '绿色通道：请选择办理业务', en: 'Priority channel: choose a service' },
  'kiosk.choose.appt': { zh: '预约码 {code}：请选择预约的业务', en: 'Appointment {code}: choose the booked service' },
  'kiosk.cancel': { zh: '取消', en: 'Cancel' },
  'kiosk.green': { zh: '绿色通道', en: 'Priority channel' },
  'kiosk.green.sub': { zh: '老年人、残疾人、孕妇、军人等优先办理', en: 'Elderly, disabled, pregnant, military and others' },
  'kiosk.appt': { zh: '预约取号', en: 'Appointment' },
  'kiosk.appt.sub': { zh: '已预约的市民，请输入预约码取号', en: 'Booked online or by phone? Enter your code' },
  'kiosk.code.title': { zh: '请输入预约码', en: 'Enter your appointment code' },
  'kiosk.key.clear': { zh: '清空', en: 'Clear' },
  'kiosk.key.back': { zh: '退格', en: 'Delete' },
  'kiosk.back': { zh: '返回', en: 'Back' },
  'kiosk.next': { zh: '下一步', en: 'Next' },
  'kiosk.taking': { zh: '正在取号，请稍候…', en: 'Issuing your ticket…' },
  'kiosk.ok': { zh: '取号成功', en: 'Your ticket' },
  'kiosk.your.number': { zh: '您的号码', en: 'Your number' },
  'kiosk.ahead': { zh: '前面等候', en: 'Ahead of you' },
  'kiosk.ahead.n': { zh: '{n} 人', en: '{n}' },
  'kiosk.est': { zh: '预计等候', en: 'Estimated wait' },
  'kiosk.issued': { zh: '取号时间', en: 'Issued at' },
  'kiosk.qr.hint': { zh: '手机扫码查看排队进度', en: 'Scan to follow your place in the queue' },
  'kiosk.done': { zh: '完成', en: 'Done' },
  'kiosk.ok.btn': { zh: '知道了', en: 'OK' },
  'kiosk.waiting': { zh: '等候', en: 'Waiting' },
  'kiosk.people': { zh: '人', en: '' },
  'kiosk.about': { zh: '约', en: 'about' },
  'kiosk.nowait': { zh: '无需等候', en: 'No wait' },
  'kiosk.noneahead': { zh: '前面无人等候', en: 'Nobody ahead' },
  'kiosk.more': { zh: '向下滑动，查看更多业务', en: 'Scroll down for more services' },
  'kiosk.unavail.quota_exhausted': { zh: '今日号源已满', en: 'Fully booked today' },
  'kiosk.unavail.service_closed': { zh: '当前不在办理时间', en: 'Closed now' },
  'kiosk.unavail.other': { zh: '暂停取号', en: 'Not available' },
  'kiosk.noauth': { zh: '本机未配置取号凭据，请联系工作人员', en: 'This kiosk has no device credentials. Please ask the staff.' },
  'kiosk.noservices': { zh: '正在加载业务…', en: 'Loading services…' },
  'kiosk.offline': { zh: '网络连接中断，正在重连…', en: 'Connection lost, reconnecting…' },
  'channel.green': { zh: '绿色通道', en: 'Priority channel' },
  'channel.appointment': { zh: '预约', en: 'Appointment' },
});

const q = new URLSearchParams(location.search);
const BACK_S = Math.max(5, parseInt(q.get('back') || '15', 10) || 15);
const IDLE_S = Math.max(15, parseInt(q.get('idle') || '60', 10) || 60);
const PRINT = q.get('print') === '1';
const CODE_MAX = 32; // booking codes are 1-32 characters (CONTRACT §5; hallq makes 8)
const AVAIL_REFRESH_MS = 30000;   // opening hours change with the clock, not with events
let tz = q.get('tz') || 'Asia/Shanghai';

const $ = (s) => document.querySelector(s);
const ui = {
  hallName: $('[data-testid="hall-name"]'),
  clock: $('[data-testid="clock"]'),
  date: $('[data-testid="date"]'),
  tiles: $('[data-testid="kiosk-services"]'),
  prompt: $('[data-testid="kiosk-prompt"]'),
  mode: $('[data-testid="kiosk-mode"]'),
  modeText: document.querySelector('.ko-mode-text'),
  code: $('[data-testid="kiosk-appointment-code"]'),
  next: $('[data-testid="kiosk-appointment-next"]'),
  noauth: $('[data-testid="kiosk-auth-missing"]'),
  conn: $('[data-testid="conn-status"]'),
  err: $('[data-testid="kiosk-error"]'),
  errText: $('[data-testid="kiosk-error-text"]'),
  tNumber: $('[data-testid="ticket-number"]'),
  tService: $('[data-testid="kiosk-ticket-service"]'),
  tChannel: $('[data-testid="kiosk-ticket-channel"]'),
  tAhead: $('[data-testid="kiosk-ticket-ahead"]'),
  tEst: $('[data-testid="kiosk-ticket-est"]'),
  tIssued: $('[data-testid="kiosk-ticket-issued"]'),
  tQr: $('[data-testid="kiosk-ticket-qr"]'),
  tLines: $('[data-testid="kiosk-ticket-lines"]'),
  countdown: $('[data-testid="kiosk-countdown"]'),
  print: $('[data-testid="kiosk-print"]'),
};

// ---- device credentials from the fragment -------------------------------------
const CRED_KEY = 'hallq.kiosk';

function readCredentials() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  const device = h.get('device');
  const token = h.get('token');
  if (device && token) {
    try {
      sessionStorage.setItem(CRED_KEY, JSON.stringify({ device, token }));
    } catch (_) { /* ignore */ }
    // keep the secret out of the address bar and of screenshots
    try {
      history.replaceState(history.state, '', location.pathname + location.search);
    } catch (_) { /* ignore */ }
    return { device, token };
  }
  try {
    const s = JSON.parse(sessionStorage.getItem(CRED_KEY) || 'null');
    if (s && s.device && s.token) {
      return s;
    }
  } catch (_) { /* ignore */ }
  return null;
}

const cred = readCredentials();
window.hallqKiosk = { device: cred ? cred.device : null };

// ---- state -------------------------------------------------------------------
let hall = null;
let state = null;
let mode = 'walk_in';       // walk_in | green | appointment
let code = '';
let busy = false;
let backTimer = null;
let idleTimer = null;
let lastTicket = null;

function setView(v) {
  document.body.dataset.view = v;
  clearInterval(backTimer);
  armIdle();
}

function setMode(m) {
  mode = m;
  document.body.dataset.mode = m;
  renderPrompt();
  if (state) {
    for (const sv of state.services) {
      renderTile(sv);                     // the quota does not bind appointments
    }
  }
}

function toMenu() {
  code = '';
  renderCode();
  setMode('walk_in');
  setView('menu');
  hideError();
}

// Return to the menu after IDLE_S without a touch (keypad, a chosen mode, an error).
function armIdle() {
  clearTimeout(idleTimer);
  const v = document.body.dataset.view;
  if (v === 'keypad' || (v === 'menu' && mode !== 'walk_in') || !ui.err.hidden) {
    idleTimer = setTimeout(toMenu, IDLE_S * 1000);
  }
}

function renderPrompt() {
  if (mode === 'green') {
    setText(ui.prompt, t('kiosk.choose.green'));
    setText(ui.modeText, t('kiosk.green'));
  } else if (mode === 'appointment') {
    setText(ui.prompt, t('kiosk.choose.appt', { code }));
    setText(ui.modeText, `${t('kiosk.appt')} · ${code}`);
  } else {
    setText(ui.prompt, t('kiosk.choose'));
  }
  ui.mode.hidden = mode === 'walk_in';
}

// ---- header ------------------------------------------------------------------
function tick() {
  const now = new Date();
  setText(ui.clock, fmtClock(now, tz, false));
  setText(ui.date, fmtDate(now, tz, lang()));
  setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

function renderHall() {
  const name = (state && state.hall && state.hall.name) || (hall && hall.name);
  if (name) {
    setText(ui.hallName, pick(name));
    fitText(ui.hallName, 0.6);
  }
}

// ---- tiles ---------------------------------------------------------------------
const tileMap = new Map();

function buildTiles() {
  ui.tiles.textContent = '';
  tileMap.clear();
  const svcs = state ? state.services : [];
  if (!svcs.length) {
    ui.tiles.append(el('div', { class: 'ko-empty', text: t('kiosk.noservices') }));
    return;
  }
  const portrait = window.innerHeight > window.innerWidth;
  const n = svcs.length;
  const compact = n > 8;
  const cols = portrait ? (n <= 4 ? 1 : n <= 8 ? 2 : 3) : (n <= 3 ? n : n <= 6 ? 3 : n <= 12 ? 4 : 5);
  ui.tiles.style.setProperty('--cols', cols);
  ui.tiles.classList.toggle('compact', compact);
  for (const s of svcs) {
    const id = tid(s.id);
    const waiting = el('b', { class: 'num', testid: `kiosk-service-${id}-waiting` });
    const est = el('span', { testid: `kiosk-service-${id}-est` });
    const nameEl = el('div', { class: 'ko-tile-name' });
    const tile = el('button', {
      type: 'button', class: 'ko-tile', testid: `kiosk-service-${id}`, 'data-service': s.id,
      onclick: () => take(s.id),
    },
    el('div', { class: 'ko-tile-prefix num', text: s.prefix || '' }),
    nameEl,
    el('div', { class: 'ko-tile-info' }, el('span', { class: 'wait' }), est));
    tileMap.set(s.id, { tile, nameEl, waiting, est, waitBox: tile.querySelector('.wait') });
    ui.tiles.append(tile);
    renderTile(s);
  }
  requestAnimationFrame(updateScrollCue);
}

// ---- scroll cue: more services below than the screen shows -----------------------
let cue = null;

function setupScrollCue() {
  cue = el('button', { type: 'button', class: 'ko-scroll-cue', testid: 'kiosk-scroll-cue', hidden: true,
    onclick: () => ui.tiles.scrollBy({ top: ui.tiles.clientHeight * 0.8, behavior: 'smooth' }) },
  el('span', { class: 'arrow', text: '▼' }), el('span', { class: 'cue-text' }), el('span', { class: 'arrow', text: '▼' }));
  ui.tiles.after(cue);
  ui.tiles.addEventListener('scroll', updateScrollCue, { passive: true });
}

function updateScrollCue() {
  if (!cue) {
    return;
  }
  const more = ui.tiles.scrollHeight - ui.tiles.clientHeight - ui.tiles.scrollTop > 4;
  cue.hidden = !more;
  setText(cue.querySelector('.cue-text'), t('kiosk.more'));
}

function renderTile(s) {
  const r = tileMap.get(s.id);
  if (!r) {
    return;
  }
  r.nameEl.textContent = '';
  r.nameEl.append(pick(s.name), el('span', { class: 'en', text: pickOther(s.name) }));
  setText(r.waiting, String(s.waiting ?? 0));
  r.waitBox.textContent = '';
  r.waitBox.append(t('kiosk.waiting'), r.waiting, t('kiosk.people'));
  const code = unavailable(s);
  r.tile.classList.toggle('unavailable', !!code);
  r.tile.dataset.available = code ? 'false' : 'true';
  r.tile.setAttribute('aria-disabled', code ? 'true' : 'false');
  if (code) {
    setText(r.est, t('kiosk.unavail.' + code) !== 'kiosk.unavail.' + code ? t('kiosk.unavail.' + code) : t('kiosk.unavail.other'));
    return;
  }
  const w = fmtWait(s.est_wait_s);
  // "No wait" only when a counter serving it is free now; else "nobody ahead".
  setText(r.est, s.waiting > 0 ? (w ? `${t('kiosk.about')} ${w}` : '') : t(freeCounter(s) ? 'kiosk.nowait' : 'kiosk.noneahead'));
}

// ---- availability: closed now or quota used up, shown before a tap -----------
const avail = new Map();       // service id -> refusal code from GET …/availability, or null
let availTimer = null;

// unavailable is why a walk-in ticket for s would be refused now, or null.
function unavailable(s) {
  if (mode !== 'appointment' && s.daily_quota > 0 && (s.issued || 0) >= s.daily_quota) {
    return 'quota_exhausted';             // from the stream, at once
  }
  const code = avail.get(s.id);
  if (code === 'quota_exhausted' && mode === 'appointment') {
    return null;                          // appointments do not count against the quota
  }
  return code || null;
}

function freeCounter(s) {
  return !!state && state.counters.some((c) => c.status === 'open' && (c.services || []).includes(s.id));
}

async function refreshAvail() {
  clearTimeout(availTimer);
  availTimer = setTimeout(refreshAvail, AVAIL_REFRESH_MS);
  if (!hall) {
    return;
  }
  try {
    const res = await api('GET', hallPath(hall.id, '/availability'));
    avail.clear();
    for (const a of res.services || []) {
      avail.set(String(a.service), a.available ? null : a.code);
    }
  } catch (_) {
    return;                               // keep the last answer; the take itself still decides
  }
  if (state) {
    for (const sv of state.services) {
      renderTile(sv);
    }
  }
}

// ---- keypad --------------------------------------------------------------------
function renderCode() {
  setText(ui.code, code);
  ui.next.disabled = code.length < 4;
}

function onKey(k) {
  if (k === 'clear') {
    code = '';
  } else if (k === 'back') {
    code = code.slice(0, -1);
  } else if (/^[0-9A-Z]$/.test(k) && code.length < CODE_MAX) { // letters: kiosk-guide.js adds their keys
    code += k;
  }
  renderCode();
  armIdle();
}

// ---- taking a ticket -------------------------------------------------------------
async function take(serviceId) {
  if (busy) {
    return;
  }
  const svc = state && state.serviceById.get(String(serviceId));
  const why = svc && unavailable(svc);
  if (why) {
    showError({ code: why });             // say why and what to do; nothing is sent
    return;
  }
  if (!cred) {
    showError({ code: 'unauthorized', message: t('kiosk.noauth') });
    return;
  }
  busy = true;
  const body = { service: serviceId, channel: mode };
  if (mode === 'appointment') {
    body.appointment_code = code;
  }
  setView('busy');
  try {
    const res = await api('POST', hallPath(hall.id, '/tickets'), {
      body,
      bearer: `${cred.device}:${cred.token}`,
      idempotencyKey: uuid(),
    });
    showTicket(res, body.channel);
  } catch (e) {
    setView('menu');
    showError(e);
  } finally {
    busy = false;
  }
}

function asLines(v) {
  if (Array.isArray(v)) return v.map(String);
  return v ? [String(v)] : [];
}

function firstLine(v) {
  return asLines(v)[0] || '';
}

function showTicket(res, channel) {
  lastTicket = res;
  window.hallqKiosk.lastTicket = res;
  setText(ui.tNumber, res.number || '');
  // the print layout's lines are arrays, Chinese first (kiosk.PrintLayout)
  const sname = pick(serviceName(state, res.service)) || firstLine(res.print && res.print.service);
  setText(ui.tService, sname);
  setText(ui.tChannel, channel === 'green' ? t('channel.green') : channel === 'appointment' ? t('channel.appointment') : '');
  setText(ui.tAhead, t('kiosk.ahead.n', { n: res.waiting_ahead ?? 0 }));
  const svcNow = state && state.serviceById.get(String(res.service));
  setText(ui.tEst, res.waiting_ahead > 0 ? (fmtWait(res.est_wait_s) || '—') : t(svcNow && freeCounter(svcNow) ? 'kiosk.nowait' : 'kiosk.noneahead'));
  setText(ui.tIssued, fmtTimeOf(res.issued_at, tz) || fmtClock(new Date(), tz, false));
  ui.tQr.src = hallPath(hall.id, `/tickets/${encodeURIComponent(res.ticket_id)}/qr.png`);
  ui.tLines.textContent = '';
  for (const line of (res.print && res.print.lines) || []) {
    ui.tLines.append(el('li', { text: line }));
  }
  code = '';
  renderCode();
  setMode('walk_in');
  setView('ticket');
  let left = BACK_S;
  setText(ui.countdown, `(${left})`);
  backTimer = setInterval(() => {
    left -= 1;
    setText(ui.countdown, `(${left})`);
    if (left <= 0) {
      toMenu();
    }
  }, 1000);
  if (PRINT) {
    printSlip(res);
  }
}

function printSlip(res) {
  const p = res.print || {};
  ui.print.textContent = '';
  ui.print.append(
    ...asLines(p.header).map((l) => el('div', { class: 'p-header', text: l })),
    el('div', { class: 'p-number', text: p.number || res.number }),
    ...asLines(p.service).map((l) => el('div', { class: 'p-service', text: l })),
    ...((p.lines || []).map((l) => el('div', { class: 'p-line', text: l }))),
  );
  const img = el('img', { alt: '', src: hallPath(hall.id, `/tickets/${encodeURIComponent(res.ticket_id)}/qr.png`) });
  ui.print.append(img, ...asLines(p.footer).map((l) => el('div', { class: 'p-footer', text: l })));
  const go = () => setTimeout(() => window.print(), 50);
  if (img.complete) {
    go();
  } else {
    img.onload = img.onerror = go;
  }
}

// ---- errors -----------------------------------------------------------------------
function showError(e) {
  ui.errText.textContent = '';
  ui.errText.append(citizenError(e));   // our words and the next step, never the server's text
  ui.err.dataset.code = e.code || '';
  ui.err.hidden = false;
  armIdle();
}

function hideError() {
  ui.err.hidden = true;
}

// ---- wiring -------------------------------------------------------------------------
async function main() {
  initToggle();
  tick();
  ui.noauth.hidden = !!cred;
  buildTiles();
  renderPrompt();
  renderCode();
  onLangChange(() => {
    renderHall();
    buildTiles();
    renderPrompt();
    if (lastTicket && document.body.dataset.view === 'ticket') {
      setText(ui.tService, pick(serviceName(state, lastTicket.service)));
    }
  });

  $('[data-testid="kiosk-green"]').addEventListener('click', () => {
    setMode(mode === 'green' ? 'walk_in' : 'green');
    armIdle();
  });
  $('[data-testid="kiosk-appointment"]').addEventListener('click', () => {
    code = '';
    renderCode();
    setView('keypad');
  });
  $('[data-testid="kiosk-cancel"]').addEventListener('click', toMenu);
  $('[data-testid="kiosk-keypad-cancel"]').addEventListener('click', toMenu);
  ui.next.addEventListener('click', () => {
    if (code.length >= 4) {
      setMode('appointment');
      setView('menu');
    }
  });
  $('[data-testid="kiosk-keypad"]').addEventListener('click', (e) => {
    const b = e.target.closest('[data-key]');
    if (b) {
      onKey(b.dataset.key);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (document.body.dataset.view === 'keypad') {
      if (/^[0-9A-Za-z]$/.test(e.key)) {
        onKey(e.key.toUpperCase());
      } else if (e.key === 'Backspace') {
        onKey('back');
      } else if (e.key === 'Enter' && !ui.next.disabled) {
        ui.next.click();
      } else if (e.key === 'Escape') {
        toMenu();
      }
    }
  });
  $('[data-testid="kiosk-done"]').addEventListener('click', toMenu);
  $('[data-testid="kiosk-error-close"]').addEventListener('click', () => {
    hideError();
    armIdle();
  });
  // no context menu, no pinch zoom on the kiosk
  document.addEventListener('contextmenu', (e) => e.preventDefault());

  setupScrollCue();
  onLangChange(updateScrollCue);
  hall = await getHall();
  if (hall.timezone && !q.get('tz')) {
    tz = hall.timezone;
  }
  renderHall();
  const hs = await openHallStream({ hall: hall.id });
  hs.on('status', (s) => {
    ui.conn.dataset.state = s;
    setText(ui.conn.querySelector('.conn-label'), s === 'open' || s === 'connecting' ? '' : t('kiosk.offline'));
  });
  hs.on('snapshot', (st) => {
    state = st;
    if (st.hall && st.hall.timezone && !q.get('tz')) {
      tz = st.hall.timezone;
    }
    renderHall();
    buildTiles();
  });
  hs.on('event', (ev) => {
    if (ev.kind === 'local.refresh' || (ev.counter != null && ev.counter_status)) {
      for (const s of state.services) {
        renderTile(s);                    // a counter freed or taken changes "no wait"
      }
    } else if (ev.service != null && typeof ev.waiting === 'number') {
      const s = state.serviceById.get(String(ev.service));
      if (s) {
        renderTile(s);
      }
    }
  });
  hs.start();
  refreshAvail();
  let rt = null;
  window.addEventListener('resize', () => {
    clearTimeout(rt);
    rt = setTimeout(buildTiles, 200);
  });
}

main();
