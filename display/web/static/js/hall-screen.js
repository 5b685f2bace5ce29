// 综合屏 hall screen: latest call, current call per counter, waiting per
// service, recent calls, notice line, clock; speaks every call (voice.js).
//
// URL options: ?lang=en, ?zone=east (a speaker zone of the config: only its
// counters are shown and spoken, docs/screens.md), ?counters=1,2,12 (only
// these counters; calls of other counters are neither shown nor spoken), ?services=social,tax,
// ?hideclosed=1, ?voice=zh|en|both|off, ?repeat=N, ?page=10 (seconds per page
// when the counters or services do not fit on one screen), ?tz=Asia/Shanghai.

import { addStrings, t, pick, pickOther, lang, initToggle, onLangChange, fmtWait } from './i18n.js';
import { fmtClock, fmtDate, fmtTimeOf, el, setText, tid, getHall, fitText, api, hallPath } from './api.js';
import { openHallStream, bindConnIndicator } from './hallstream.js';
import { getVoice } from './voice.js';

function pair(key, zh, en) {
  addStrings({ [key]: { zh, en }, [key + '.other']: { zh: en, en: zh } });
}
pair('now.calling', '正在呼叫', 'Now calling');
pair('counters.title', '窗口叫号', 'Counters');
pair('waiting.title', '等候人数', 'Waiting');
pair('recent.title', '最近叫号', 'Recent calls');
addStrings({
  'notice.label': { zh: '通知公告', en: 'Notice' },
  'notice.default': { zh: '欢迎光临！请取号后留意叫号屏幕和语音提示，过号请到原窗口重新排队。', en: 'Welcome! Please take a ticket and watch the screen for your number.' },
  'tile.open': { zh: '空闲', en: 'Available' },
  'tile.called': { zh: '请前往办理', en: 'Please proceed' },
  'tile.serving': { zh: '办理中', en: 'Serving' },
  'tile.paused': { zh: '暂停服务', en: 'Paused' },
  'tile.closed': { zh: '休息中', en: 'Closed' },
  'svc.waiting.unit': { zh: '人', en: '' },
  'svc.est': { zh: '预计 {w}', en: 'about {w}' },
  'svc.none': { zh: '无人等候', en: 'No wait' },
  'sentence': { zh: '请 {ticket} 号到 {counter} 办理', en: 'Number {ticket}, please go to {counter}' },
  'recent.none': { zh: '暂无叫号', en: 'No calls yet' },
  'page': { zh: '第 {p}/{n} 页', en: 'Page {p}/{n}' },
  'stale': { zh: '连接中断，正在重连 — 以下信息不是最新，请留意工作人员指引', en: 'Connection lost, reconnecting — this information is not up to date' },
  'voice.late': { zh: '语音延误 {n}', en: 'Late announcements {n}' },
  'voice.late.mark': { zh: '未及时播报', en: 'announced late' },
  'zone.unknown': { zh: '未配置的区域 {z}：显示全部窗口', en: 'Zone {z} is not configured: showing every counter' },
});

const q = new URLSearchParams(location.search);
const listParam = (k) => (q.get(k) ? new Set(q.get(k).split(',').map((s) => s.trim()).filter(Boolean)) : null);
let ONLY_COUNTERS = listParam('counters');   // or the ?zone= counters, set in main()
const ZONE = q.get('zone') || '';
const STALE_AFTER_MS = 2000;                   // a reconnect shorter than this is not announced
const ONLY_SERVICES = listParam('services');
const HIDE_CLOSED = q.get('hideclosed') === '1';
const PAGE_S = Math.max(4, parseInt(q.get('page') || '10', 10) || 10);
const BUSY_WAIT_S = 30 * 60;
let tz = q.get('tz') || 'Asia/Shanghai';

const $ = (s) => document.querySelector(s);
const ui = {
  name: $('[data-testid="hall-name"]'),
  nameEn: $('[data-testid="hall-name-en"]'),
  clock: $('[data-testid="clock"]'),
  date: $('[data-testid="date"]'),
  now: $('[data-testid="latest-call"]'),
  nowTicket: $('[data-testid="latest-call-ticket"]'),
  nowCounter: $('[data-testid="latest-call-counter"]'),
  nowText: $('[data-testid="latest-call-text"]'),
  grid: $('[data-testid="counters"]'),
  gridPage: $('[data-testid="counters-page"]'),
  svcs: $('[data-testid="services"]'),
  svcPage: $('[data-testid="services-page"]'),
  recent: $('[data-testid="recent-calls"]'),
  notice: $('[data-testid="notice"]'),
  voiceBtn: $('[data-testid="voice-enable"]'),
  conn: $('[data-testid="conn-status"]'),
  voiceLate: $('[data-testid="voice-late"]'),
  stale: $('[data-testid="stream-down"]'),
  staleText: $('[data-testid="stream-down-text"]'),
  zone: $('[data-testid="zone-name"]'),
};
let zoneId = '';

let hs = null;
let state = null;
const tiles = new Map();       // counter id -> {root, name, ticket, status}
const svcRows = new Map();     // service id -> {root, ...}
let gridPager = null;
let svcPager = null;

const showCounter = (c) => (!ONLY_COUNTERS || ONLY_COUNTERS.has(c.id)) && (!HIDE_CLOSED || c.status !== 'closed');
const showService = (s) => !ONLY_SERVICES || ONLY_SERVICES.has(s.id);
const inZone = (counterId) => !ONLY_COUNTERS || ONLY_COUNTERS.has(String(counterId));

// ---- clock -----------------------------------------------------------------
function tickClock() {
  const now = new Date();
  setText(ui.clock, fmtClock(now, tz, true));
  setText(ui.date, fmtDate(now, tz, lang()));
  setTimeout(tickClock, 1000 - (Date.now() % 1000) + 5);
}

// ---- pager: shows a page of items when not all fit, rotating ---------------
class Pager {
  constructor(labelNode, onPage) {
    this.page = 0;
    this.pages = 1;
    this.hold = 0;
    this.label = labelNode;
    this.onPage = onPage;
    setInterval(() => this.next(), PAGE_S * 1000);
  }

  set(pages) {
    this.pages = Math.max(1, pages);
    if (this.page >= this.pages) {
      this.page = 0;
    }
    this.render();
  }

  next() {
    if (this.pages <= 1 || Date.now() < this.hold) {
      return;
    }
    this.page = (this.page + 1) % this.pages;
    this.render();
  }

  show(page, holdMs) {
    this.page = Math.min(page, this.pages - 1);
    this.hold = Date.now() + holdMs;
    this.render();
  }

  render() {
    setText(this.label, this.pages > 1 ? t('page', { p: this.page + 1, n: this.pages }) : '');
    this.onPage(this.page);
  }
}

// ---- counters grid -----------------------------------------------------------
let gridLayout = { perPage: Infinity, order: [] };

function buildGrid() {
  ui.grid.textContent = '';
  tiles.clear();
  for (const c of state.counters) {
    const id = tid(c.id);
    const root = el('div', { class: 'hs-tile', testid: `counter-${id}`, 'data-counter': c.id });
    const name = el('div', { class: 'hs-tile-name' });
    const ticket = el('div', { class: 'hs-tile-ticket num', testid: `counter-${id}-ticket` });
    const status = el('div', { class: 'hs-tile-status', testid: `counter-${id}-status` });
    root.append(name, ticket, status);
    ui.grid.append(root);
    tiles.set(c.id, { root, name, ticket, status });
    renderTile(c);
  }
  layoutGrid();
}

function renderTile(c) {
  const tl = tiles.get(c.id);
  if (!tl) {
    return;
  }
  tl.root.dataset.status = c.status;
  tl.status.dataset.status = c.status;
  setText(tl.name, pick(c.name));
  const hasTicket = (c.status === 'called' || c.status === 'serving') && c.ticket;
  setText(tl.ticket, hasTicket ? c.ticket : '');
  setText(tl.status, t('tile.' + (['open', 'called', 'serving', 'paused', 'closed'].includes(c.status) ? c.status : 'closed')));
  const vis = showCounter(c);
  if (vis !== !tl.root.classList.contains('filtered')) {
    tl.root.classList.toggle('filtered', !vis);
    return true;          // visibility changed: relayout
  }
  return false;
}

function layoutGrid() {
  if (!state) {
    return;
  }
  const order = state.counters.filter(showCounter).map((c) => c.id);
  const cs = getComputedStyle(ui.grid);
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 10;
  const W = ui.grid.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const H = ui.grid.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
  const gap = 1.2 * rem;
  const n = Math.max(order.length, 1);
  let best = { s: 0, cols: 1, rows: 1, h: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const tw = (W - gap * (cols - 1)) / cols;
    const th = (H - gap * (rows - 1)) / rows;
    const s = Math.min(tw / 1.25, th);
    if (s > best.s) {
      best = { s, cols, rows, h: Math.min(th, tw / 1.0) };
    }
  }
  const minH = 13 * rem;              // ticket numbers stay legible from 10 m (docs/screens.md)
  let perPage = Infinity;
  let cols = best.cols;
  let h = best.h;
  let scale = best.s;
  if (best.s < minH) {
    h = minH;
    scale = minH;
    cols = Math.max(1, Math.floor((W + gap) / (minH * 1.25 + gap)));
    const rows = Math.max(1, Math.floor((H + gap) / (minH + gap)));
    perPage = cols * rows;
    // stretch the tiles of a full page over the whole panel
    h = Math.max(minH, (H - gap * (rows - 1)) / rows);
    scale = Math.max(minH, Math.min(h, (W - gap * (cols - 1)) / cols / 1.25));
  }
  ui.grid.style.setProperty('--cols', cols);
  ui.grid.style.setProperty('--tile-h', `${Math.floor(h)}px`);
  ui.grid.style.setProperty('--tile-h-px', `${Math.floor(scale)}px`);
  gridLayout = { perPage, order };
  gridPager.set(perPage === Infinity ? 1 : Math.ceil(order.length / perPage));
}

function showGridPage(page) {
  const { perPage, order } = gridLayout;
  const onPage = new Set(perPage === Infinity ? order : order.slice(page * perPage, (page + 1) * perPage));
  for (const [id, tl] of tiles) {
    tl.root.hidden = !onPage.has(id);
  }
}

function flashTile(counterId) {
  const tl = tiles.get(String(counterId));
  if (!tl) {
    return;
  }
  const { perPage, order } = gridLayout;
  if (perPage !== Infinity) {
    const i = order.indexOf(String(counterId));
    if (i >= 0) {
      gridPager.show(Math.floor(i / perPage), 12000);
    }
  }
  tl.root.classList.remove('flash');
  void tl.root.offsetWidth;            // restart the animation
  tl.root.classList.add('flash');
  clearTimeout(tl.flashTimer);
  tl.flashTimer = setTimeout(() => tl.root.classList.remove('flash'), 10000);
  if (!tl.flashEnd) {
    // the flash ends with its animation: never a moment of the plain tile while "flashing"
    tl.flashEnd = (e) => {
      if (e.target === tl.root) {
        tl.root.classList.remove('flash');
      }
    };
    tl.root.addEventListener('animationend', tl.flashEnd);
  }
}

// ---- services ------------------------------------------------------------------
let svcLayout = { perPage: Infinity, order: [] };

function buildServices() {
  ui.svcs.textContent = '';
  svcRows.clear();
  for (const s of state.services) {
    const id = tid(s.id);
    const root = el('div', { class: 'hs-svc', testid: `service-${id}`, 'data-service': s.id });
    const prefix = el('div', { class: 'hs-svc-prefix num', text: s.prefix || '' });
    const name = el('div', { class: 'hs-svc-name' });
    const sub = el('div', { class: 'hs-svc-sub', testid: `service-${id}-est` });
    const count = el('div', { class: 'hs-svc-count num' });
    const countN = el('span', { testid: `service-${id}-waiting` });
    const unit = el('small');
    count.append(countN, unit);
    root.append(prefix, name, count, sub);
    root.hidden = !showService(s);
    ui.svcs.append(root);
    svcRows.set(s.id, { root, name, sub, countN, unit });
    renderService(s);
  }
  layoutServices();
}

function renderService(s) {
  const r = svcRows.get(s.id);
  if (!r) {
    return;
  }
  setText(r.name, pick(s.name));
  setText(r.countN, String(s.waiting ?? 0));
  setText(r.unit, t('svc.waiting.unit'));
  const w = s.waiting > 0 ? fmtWait(s.est_wait_s) : '';
  setText(r.sub, s.waiting > 0 ? (w ? t('svc.est', { w }) : pickOther(s.name)) : t('svc.none'));
  r.root.classList.toggle('busy', (s.est_wait_s || 0) >= BUSY_WAIT_S);
}

function layoutServices() {
  if (!state) {
    return;
  }
  const order = state.services.filter(showService).map((s) => s.id);
  for (const [id, r] of svcRows) {
    r.root.hidden = !order.includes(id);
  }
  ui.svcs.classList.remove('paged');
  const first = order.length ? svcRows.get(order[0]).root : null;
  const H = ui.svcs.clientHeight - 14;
  const itemH = first && first.offsetHeight ? first.getBoundingClientRect().height + 1 : 80;
  const fit = Math.max(1, Math.floor(H / itemH));
  const perPage = order.length > fit ? fit : Infinity;
  // spread the rows of a full page evenly over the panel
  ui.svcs.style.setProperty('--svc-rows', perPage === Infinity ? '' : String(perPage));
  ui.svcs.classList.toggle('paged', perPage !== Infinity);
  svcLayout = { perPage, order };
  svcPager.set(perPage === Infinity ? 1 : Math.ceil(order.length / perPage));
}

function showSvcPage(page) {
  const { perPage, order } = svcLayout;
  const on = new Set(perPage === Infinity ? order : order.slice(page * perPage, (page + 1) * perPage));
  for (const [id, r] of svcRows) {
    r.root.hidden = !on.has(id);
  }
}

// ---- latest call and recent calls ----------------------------------------------
function counterLabel(id) {
  const c = state && state.counterById.get(String(id));
  return c ? c.name : { zh: `${id}号窗口`, en: `Window ${id}` };
}

function renderNow(call, flash) {
  if (!call) {
    ui.now.classList.add('idle');
    setText(ui.nowTicket, '— —');
    setText(ui.nowCounter, '');
    setText(ui.nowText, '');
    ui.now.dataset.ticket = '';
    ui.now.dataset.counter = '';
    return;
  }
  ui.now.classList.remove('idle');
  const name = counterLabel(call.counter);
  setText(ui.nowTicket, call.ticket);
  setText(ui.nowCounter, pick(name));
  fitText(ui.nowCounter);
  setText(ui.nowText, t('sentence', { ticket: call.ticket, counter: pick(name) }));
  ui.now.dataset.ticket = call.ticket;
  ui.now.dataset.counter = call.counter;
  if (flash) {
    ui.now.classList.remove('flash');
    void ui.now.offsetWidth;
    ui.now.classList.add('flash');
  }
}

// Calls of this screen's zone, newest first, a recall of the same call once.
function zoneCalls() {
  const seen = new Set();
  return state.recent_calls.filter((r) => {
    const k = r.ticket + '@' + r.counter;
    if (!inZone(r.counter) || seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

function renderRecent() {
  const calls = zoneCalls().slice(0, 12);
  ui.recent.textContent = '';
  if (!calls.length) {
    ui.recent.append(el('li', { class: 'hs-empty', text: t('recent.none') }));
    return;
  }
  for (const r of calls) {
    const late = lateCalls.has(r.ticket + '@' + r.counter);
    ui.recent.append(el('li', { class: 'hs-recent-item' + (late ? ' late' : ''), testid: 'recent-call', 'data-ticket': r.ticket, 'data-counter': r.counter,
      'data-late': late ? '1' : null, title: fmtTimeOf(r.at, tz) },
    el('span', { class: 'num', text: r.ticket }),
    el('span', { class: 'to', text: pick(counterLabel(r.counter)) }),
    late ? el('span', { class: 'late-mark', title: t('voice.late.mark'), text: '🔇' }) : null));
  }
  // drop the items that would be cut off at the bottom
  const box = ui.recent.getBoundingClientRect();
  for (const li of Array.from(ui.recent.children)) {
    if (li.getBoundingClientRect().bottom > box.bottom + 1) {
      li.hidden = true;
    }
  }
  // The services take the room the recent calls leave: relayout when it changes.
  if (calls.length !== recentShown) {
    recentShown = calls.length;
    layoutServices();
  }
}
let recentShown = -1;

// ---- notice ---------------------------------------------------------------------
let noticeText = null;

function renderNotice() {
  const n = state && state.hall && state.hall.notice;
  let s = n ? pick(n) : '';
  if (!s) {
    s = t('notice.default');
  }
  if (s === noticeText) {
    return;
  }
  noticeText = s;
  const tr = ui.notice;
  tr.classList.remove('run');
  tr.textContent = s;
  requestAnimationFrame(() => {
    const boxW = tr.parentElement.clientWidth;
    const w = tr.scrollWidth;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 10;
    const speed = 14 * rem;                     // px per second
    tr.style.setProperty('--marquee-from', `${boxW}px`);
    tr.style.setProperty('--marquee-to', `${-w}px`);
    tr.style.setProperty('--marquee-s', `${Math.max(8, (boxW + w) / speed)}s`);
    void tr.offsetWidth;
    tr.classList.add('run');
  });
}

// ---- header -----------------------------------------------------------------------
let hallName = null;

function renderHeader() {
  const name = (state && state.hall && state.hall.name) || hallName;
  if (name) {
    setText(ui.name, pick(name));
    setText(ui.nameEn, pickOther(name));
    fitText(ui.name);
    document.title = `${pick(name)} · ${lang() === 'zh' ? '综合屏' : 'Hall screen'}`;
  }
  if (state && state.hall && state.hall.timezone) {
    tz = q.get('tz') || state.hall.timezone;
  }
}

// ---- wiring ---------------------------------------------------------------------
function renderAll() {
  renderHeader();
  buildGrid();
  buildServices();
  const calls = zoneCalls();
  renderNow(calls[0] || null, false);
  renderRecent();
  renderNotice();
}

function onEvent(ev) {
  let relayout = false;
  if (ev.counter != null && ev.counter_status) {
    const c = state.counterById.get(String(ev.counter));
    if (c) {
      if (!tiles.has(c.id)) {
        buildGrid();
      } else if (renderTile(c)) {
        relayout = true;
      }
    }
  }
  if (ev.kind === 'local.refresh') {
    for (const c of state.counters) {
      renderTile(c);
    }
    for (const s of state.services) {
      renderService(s);
    }
  }
  if (ev.service != null && typeof ev.waiting === 'number') {
    const s = state.serviceById.get(String(ev.service));
    if (s) {
      renderService(s);
    }
  }
  if (ev.kind === 'notice.set') {
    renderNotice();
  }
  if (relayout) {
    layoutGrid();
  }
}

function onCall(call) {
  if (!inZone(call.counter)) {
    return;
  }
  renderNow({ ticket: call.ticket, counter: String(call.counter) }, true);
  renderRecent();
  flashTile(call.counter);
  getVoice().announce(call.ticket, call.counter, call.recall);
}

// ---- late announcements: a mark on the call, a count, the metric ------------------
const lateCalls = new Set();    // "ticket@counter" spoken late
let lateUnreported = 0;
let lateTimer = null;

function onLateCall(item) {
  lateCalls.add(item.ticket + '@' + item.counter);
  lateUnreported++;
  const n = getVoice().late;
  ui.voiceLate.hidden = false;
  ui.voiceLate.dataset.count = String(n);
  setText(ui.voiceLate, t('voice.late', { n }));
  if (state) {
    renderRecent();
  }
  clearTimeout(lateTimer);
  lateTimer = setTimeout(reportLate, 3000);
}

async function reportLate() {
  const n = Math.min(lateUnreported, 100);
  if (!n || !hs) {
    return;
  }
  lateUnreported -= n;
  try {
    await api('POST', hallPath(hs.hall, '/screens/voice'), { body: { zone: zoneId, late: n } });
  } catch (_) {
    lateUnreported += n;                // next time
  }
}

// ---- stream down: say so plainly ---------------------------------------------------
let staleTimer = null;

function onStreamStatus(st) {
  clearTimeout(staleTimer);
  if (st === 'open') {
    document.body.classList.remove('stale');
    ui.stale.hidden = true;
    return;
  }
  if (st === 'connecting' && !state) {
    return;
  }
  staleTimer = setTimeout(() => {
    document.body.classList.add('stale');
    setText(ui.staleText, t('stale'));
    ui.stale.hidden = false;
  }, STALE_AFTER_MS);
}

function setupVoice() {
  const v = getVoice();
  v.onLate(onLateCall);
  const btn = ui.voiceBtn;
  const refresh = () => {
    const locked = !v.unlocked && !v.off;
    btn.hidden = !locked;
    document.body.classList.toggle('voice-locked', locked);
  };
  const unlock = () => {
    v.unlock().then(refresh);
  };
  // any click or key on the screen counts as the gesture
  document.addEventListener('click', unlock);
  document.addEventListener('keydown', unlock);
  document.addEventListener('touchend', unlock);
  v.onUnlock(refresh);
  refresh();
}

async function main() {
  initToggle();
  tickClock();
  setupVoice();
  gridPager = new Pager(ui.gridPage, showGridPage);
  svcPager = new Pager(ui.svcPage, showSvcPage);
  onLangChange(() => {
    if (state) {
      renderAll();
    }
    setText(ui.date, fmtDate(new Date(), tz, lang()));
  });
  let rt = null;
  window.addEventListener('resize', () => {
    clearTimeout(rt);
    rt = setTimeout(() => {
      if (state) {
        layoutGrid();
        layoutServices();
        renderRecent();
        noticeText = null;
        renderNotice();
        fitText(ui.name);
        fitText(ui.nowCounter);
      }
    }, 150);
  });
  const h0 = await getHall();
  const sc = (h0 && h0.screens) || {};
  getVoice().configure(sc.voice);
  if (ZONE && !ONLY_COUNTERS) {
    const z = (sc.zones || []).find((x) => x.id === ZONE);
    if (z) {
      ONLY_COUNTERS = new Set(z.counters.map(String));
      zoneId = z.id;
      setText(ui.zone, pick(z.name));
      ui.zone.hidden = false;
      document.body.dataset.zone = z.id;
    } else {
      console.warn(t('zone.unknown', { z: ZONE }));
      setText(ui.zone, t('zone.unknown', { z: ZONE }));
      ui.zone.hidden = false;
    }
  }
  hs = await openHallStream();
  bindConnIndicator(hs, ui.conn, t);
  hs.on('status', onStreamStatus);
  getHall().then((h) => {
    if (h && h.timezone && !q.get('tz')) {
      tz = h.timezone;
    }
    if (h && h.name) {
      hallName = h.name;
      renderHeader();
    }
  });
  hs.on('snapshot', (st) => {
    state = st;
    renderAll();
  });
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(() => state && layoutServices());   // CJK metrics change row heights
  }
  hs.on('event', (ev) => onEvent(ev));
  hs.on('call', (call) => onCall(call));
  hs.start();
}

main();
