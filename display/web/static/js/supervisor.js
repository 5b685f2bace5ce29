// 现场监控 supervisor: every counter with its state and staff, waiting per
// service with estimated wait, devices (offline highlighted), recent calls.
// URL options: ?lang=en, ?warn=15&bad=30 (minutes of estimated wait that mark a
// service amber / red and raise a "open more counters" hint: 高峰办件应急制).

import { addStrings, t, pick, lang, initToggle, onLangChange, fmtWait } from './i18n.js';
import { getHall, fmtClock, fmtTimeOf, el, setText, tid } from './api.js';
import { openHallStream, bindConnIndicator, serviceName, counterName } from './hallstream.js';

addStrings({
  'sv.app': { zh: '现场监控', en: 'Hall supervision' },
  'sv.kpi.waiting': { zh: '等候总人数', en: 'Waiting in total' },
  'sv.kpi.working': { zh: '在岗窗口', en: 'Counters working' },
  'sv.kpi.paused': { zh: '暂停窗口', en: 'Counters paused' },
  'sv.kpi.closed': { zh: '未开窗口', en: 'Counters closed' },
  'sv.kpi.maxwait': { zh: '最长预计等候', en: 'Longest est. wait' },
  'sv.kpi.offline': { zh: '离线设备', en: 'Devices offline' },
  'sv.counters': { zh: '窗口状态', en: 'Counters' },
  'sv.services': { zh: '业务等候', en: 'Queues' },
  'sv.devices': { zh: '设备', en: 'Devices' },
  'sv.recent': { zh: '最近叫号', en: 'Recent calls' },
  'sv.col.counter': { zh: '窗口', en: 'Counter' },
  'sv.col.status': { zh: '状态', en: 'Status' },
  'sv.col.ticket': { zh: '当前号码', en: 'Ticket' },
  'sv.col.service': { zh: '业务', en: 'Service' },
  'sv.col.staff': { zh: '工作人员', en: 'Staff' },
  'sv.col.waiting': { zh: '等候', en: 'Waiting' },
  'sv.col.est': { zh: '预计等候', en: 'Est. wait' },
  'sv.col.serving': { zh: '在办窗口', en: 'Counters' },
  'sv.devices.sum': { zh: '在线 {on} / 共 {all}', en: '{on} of {all} online' },
  'sv.alert.busy': { zh: '{s}：等候 {n} 人，预计 {w}，建议增开窗口', en: '{s}: {n} waiting, about {w}: open more counters' },
  'sv.alert.nocounter': { zh: '{s}：{n} 人等候，但无窗口办理', en: '{s}: {n} waiting but no counter serving it' },
  'sv.alert.offline': { zh: '{n} 台设备离线', en: '{n} devices offline' },
  'sv.recall': { zh: '重呼', en: 'recall' },
  'dev.kiosk': { zh: '取号机', en: 'Kiosk' },
  'dev.caller': { zh: '呼叫器', en: 'Caller' },
  'dev.counter_display': { zh: '窗口屏', en: 'Counter display' },
  'dev.rater': { zh: '评价器', en: 'Rater' },
  'dev.hall_screen': { zh: '综合屏', en: 'Hall screen' },
});

const q = new URLSearchParams(location.search);
const WARN_S = (parseFloat(q.get('warn')) || 15) * 60;
const BAD_S = (parseFloat(q.get('bad')) || 30) * 60;
let tz = q.get('tz') || 'Asia/Shanghai';

const $ = (s) => document.querySelector(s);
const ui = {
  hall: $('[data-testid="hall-name"]'),
  clock: $('[data-testid="clock"]'),
  counters: $('[data-testid="counters"]'),
  services: $('[data-testid="services"]'),
  devices: $('[data-testid="devices"]'),
  devSum: $('[data-testid="devices-summary"]'),
  recent: $('[data-testid="recent-calls"]'),
  alerts: $('[data-testid="alerts"]'),
  kWaiting: $('[data-testid="kpi-waiting"]'),
  kWorking: $('[data-testid="kpi-working"]'),
  kPaused: $('[data-testid="kpi-paused"]'),
  kClosed: $('[data-testid="kpi-closed"]'),
  kMax: $('[data-testid="kpi-maxwait"]'),
  kOffline: $('[data-testid="devices-offline"]'),
  conn: $('[data-testid="conn-status"]'),
};

let state = null;
let hall = null;
const rows = new Map();

function tick() {
  setText(ui.clock, fmtClock(new Date(), tz, true));
  setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

function buildCounters() {
  ui.counters.textContent = '';
  rows.clear();
  for (const c of state.counters) {
    const id = tid(c.id);
    const tr = el('tr', { testid: `counter-${id}`, 'data-counter': c.id });
    const cells = {
      name: el('td'),
      status: el('td', {}, el('span', { class: 'badge', testid: `counter-${id}-status` })),
      ticket: el('td', { class: 'n', testid: `counter-${id}-ticket` }),
      service: el('td'),
      staff: el('td', { testid: `counter-${id}-staff` }),
    };
    tr.append(cells.name, cells.status, cells.ticket, cells.service, cells.staff);
    rows.set(c.id, { tr, ...cells, badge: cells.status.firstChild });
    ui.counters.append(tr);
    renderCounter(c);
  }
}

function renderCounter(c) {
  const r = rows.get(c.id);
  if (!r) {
    return;
  }
  r.tr.dataset.status = c.status;
  setText(r.name, pick(c.name));
  r.badge.dataset.status = c.status;
  setText(r.badge, t('status.' + c.status));
  const has = (c.status === 'called' || c.status === 'serving') && c.ticket;
  setText(r.ticket, has ? c.ticket : '');
  setText(r.service, has && c.service ? pick(serviceName(state, c.service)) : (c.status === 'paused' && c.pause_reason ? String(c.pause_reason) : ''));
  const staff = c.staff ? [c.staff.name, c.staff.staff_no || c.staff.id, c.staff.unit].filter(Boolean).join(' · ') : '';
  setText(r.staff, staff);
}

function servingCount(s) {
  let n = 0;
  for (const c of state.counters) {
    if (Array.isArray(c.services)) {
      if (c.services.map(String).includes(s.id) && c.status !== 'closed' && c.status !== 'paused') {
        n++;
      }
    } else if ((c.status === 'called' || c.status === 'serving') && String(c.service) === s.id) {
      n++;
    }
  }
  return n;
}

function renderServices() {
  ui.services.textContent = '';
  const alerts = [];
  for (const s of state.services) {
    const id = tid(s.id);
    const est = s.waiting > 0 ? (s.est_wait_s ?? null) : 0;
    const level = est >= BAD_S ? 'bad' : est >= WARN_S ? 'warn' : '';
    const n = servingCount(s);
    ui.services.append(el('tr', { testid: `service-${id}`, class: level, 'data-service': s.id },
      el('td', {}, el('b', { class: 'num', text: (s.prefix || '') + ' ' }), pick(s.name)),
      el('td', { class: 'r w' }, el('span', { class: 'num', testid: `service-${id}-waiting`, text: String(s.waiting ?? 0) })),
      el('td', { class: 'r w', testid: `service-${id}-est`, text: s.waiting > 0 ? fmtWait(s.est_wait_s) : '-' }),
      el('td', { class: 'r', text: String(n) })));
    if (level === 'bad') {
      alerts.push(el('span', { class: 'sv-alert bad', testid: `alert-service-${id}`, text: t('sv.alert.busy', { s: pick(s.name), n: s.waiting, w: fmtWait(s.est_wait_s) }) }));
    } else if (s.waiting > 0 && n === 0 && state.counters.some((c) => Array.isArray(c.services))) {
      alerts.push(el('span', { class: 'sv-alert', testid: `alert-service-${id}`, text: t('sv.alert.nocounter', { s: pick(s.name), n: s.waiting }) }));
    }
  }
  return alerts;
}

function renderDevices() {
  ui.devices.textContent = '';
  const devs = state.devices.slice().sort((a, b) => (a.online === b.online ? String(a.id).localeCompare(String(b.id)) : a.online ? 1 : -1));
  let off = 0;
  for (const d of devs) {
    if (!d.online) {
      off++;
    }
    const kind = d.kind ? t('dev.' + d.kind) : '';
    const where = d.counter != null ? ` · ${pick(counterName(state, d.counter))}` : '';
    ui.devices.append(el('li', { class: 'sv-dev', testid: `device-${tid(d.id)}`, 'data-online': String(!!d.online), title: d.since ? fmtTimeOf(d.since, tz, true) : '' },
      el('span', { class: 'id', text: d.id }),
      el('span', { class: 'k', text: kind + where })));
  }
  setText(ui.kOffline, String(off));
  ui.kOffline.parentElement.classList.toggle('on', off > 0);
  setText(ui.devSum, t('sv.devices.sum', { on: devs.length - off, all: devs.length }));
  return off;
}

function renderRecent() {
  ui.recent.textContent = '';
  for (const r of state.recent_calls.slice(0, 30)) {
    ui.recent.append(el('li', { testid: 'recent-call', 'data-ticket': r.ticket, 'data-counter': r.counter },
      el('span', { class: 'num', text: r.ticket }),
      el('span', {}, pick(counterName(state, r.counter)), r.recall ? el('span', { class: 're', text: t('sv.recall') }) : null),
      el('span', { class: 'tm', text: fmtTimeOf(r.at, tz, true) })));
  }
}

function renderKpis() {
  let waiting = 0;
  let maxEst = 0;
  for (const s of state.services) {
    waiting += s.waiting || 0;
    if (s.waiting > 0 && s.est_wait_s > maxEst) {
      maxEst = s.est_wait_s;
    }
  }
  const by = (st) => state.counters.filter((c) => st.includes(c.status)).length;
  setText(ui.kWaiting, String(waiting));
  setText(ui.kWorking, String(by(['open', 'called', 'serving'])));
  setText(ui.kPaused, String(by(['paused'])));
  setText(ui.kClosed, String(by(['closed'])));
  setText(ui.kMax, maxEst > 0 ? fmtWait(maxEst) : '-');
}

function renderAll() {
  const hn = (state && state.hall && state.hall.name) || (hall && hall.name);
  setText(ui.hall, hn ? pick(hn) : '');
  if (!state) {
    return;
  }
  document.title = `${t('sv.app')} · ${hn ? pick(hn) : ''}`;
  if (rows.size !== state.counters.length) {
    buildCounters();
  } else {
    for (const c of state.counters) {
      renderCounter(c);
    }
  }
  renderSide();
}

function renderSide() {
  renderKpis();
  const alerts = renderServices();
  const off = renderDevices();
  if (off > 0) {
    alerts.push(el('span', { class: 'sv-alert bad', testid: 'alert-devices', text: t('sv.alert.offline', { n: off }) }));
  }
  ui.alerts.textContent = '';
  ui.alerts.append(...alerts);
  renderRecent();
}

let sideTimer = null;
function renderSideSoon() {
  if (!sideTimer) {
    sideTimer = setTimeout(() => {
      sideTimer = null;
      renderSide();
    }, 200);
  }
}

async function main() {
  initToggle();
  tick();
  onLangChange(() => {
    rows.clear();
    renderAll();
  });
  hall = await getHall();
  if (hall.timezone && !q.get('tz')) {
    tz = hall.timezone;
  }
  const hs = await openHallStream({ hall: hall.id });
  bindConnIndicator(hs, ui.conn, t);
  hs.on('snapshot', (st) => {
    state = st;
    if (st.hall && st.hall.timezone && !q.get('tz')) {
      tz = st.hall.timezone;
    }
    rows.clear();
    renderAll();
  });
  hs.on('event', (ev) => {
    if (ev.kind === 'local.refresh') {
      renderAll();
      return;
    }
    if (ev.counter != null && ev.counter_status) {
      const c = state.counterById.get(String(ev.counter));
      if (c && rows.has(c.id)) {
        renderCounter(c);
      } else {
        buildCounters();
      }
    }
    renderSideSoon();
  });
  hs.on('call', (call) => {
    const r = rows.get(String(call.counter));
    if (r) {
      r.tr.classList.remove('flash');
      void r.tr.offsetWidth;
      r.tr.classList.add('flash');
    }
  });
  hs.start();
  setInterval(() => {
    if (state) {
      renderKpis();
    }
  }, 30000);
}

main();
