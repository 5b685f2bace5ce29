// 电子监察 supervision screen: the live alert board (red first, with age and
// the counter / staff / service / device concerned), counters with their
// idle / pause / service timers, waiting per service, offline devices, the
// day's service level and satisfaction so far, and the 高峰应急 staffing
// advice (GET …/staffing, Erlang C). A new red alert blinks the screen and
// beeps. Logged in as a supervisor or admin, the page reads the supervisor
// stream (/ws/v1/halls/{hall}?view=supervisor: state.alerts and the alert
// events); without such a session it shows the public picture and a login.
// URL options: ?lang=en, ?warn=15&bad=30 (minutes of estimated wait that mark a
// service amber / red), ?mute=1 (no beep).

import { addStrings, t, pick, initToggle, onLangChange, fmtWait, applyStatic } from './i18n.js';
import { api, getHall, hallPath, fmtClock, fmtTimeOf, el, setText, tid } from './api.js';
import { HallStream, bindConnIndicator, serviceName, counterName } from './hallstream.js';

addStrings({
  'sv.app': { zh: '电子监察', en: 'Hall supervision' },
  'sv.kpi.waiting': { zh: '等候总人数', en: 'Waiting in total' },
  'sv.kpi.working': { zh: '在岗窗口', en: 'Counters working' },
  'sv.kpi.paused': { zh: '暂停窗口', en: 'Counters paused' },
  'sv.kpi.closed': { zh: '未开窗口', en: 'Counters closed' },
  'sv.kpi.maxwait': { zh: '最长预计等候', en: 'Longest est. wait' },
  'sv.kpi.offline': { zh: '离线设备', en: 'Devices offline' },
  'sv.kpi.sl': { zh: '今日按时叫号率', en: 'Called within target today' },
  'sv.kpi.good': { zh: '今日满意率', en: 'Satisfied today' },
  'sv.board': { zh: '告警', en: 'Alerts' },
  'sv.board.sum': { zh: '红牌 {r} · 黄牌 {y}', en: '{r} red · {y} yellow' },
  'sv.board.none': { zh: '当前无告警', en: 'No alerts' },
  'sv.board.login': { zh: '登录后显示告警', en: 'Log in to see alerts' },
  'sv.counters': { zh: '窗口状态', en: 'Counters' },
  'sv.services': { zh: '业务等候', en: 'Queues' },
  'sv.devices': { zh: '设备', en: 'Devices' },
  'sv.recent': { zh: '最近叫号', en: 'Recent calls' },
  'sv.staffing': { zh: '高峰应急 · 调度建议', en: 'Peak staffing advice' },
  'sv.staffing.ok': { zh: '各业务窗口充足', en: 'Enough counters open for every service' },
  'sv.staffing.who': { zh: '可调配：{who}', en: 'Could serve: {who}' },
  'sv.staffing.more': { zh: '等 {n} 人', en: 'and {n} more' },
  'sv.staffing.nobody': { zh: '无空闲可调配人员', en: 'No idle staff who may serve it' },
  'sv.staffing.detail': { zh: '每小时到达 {a} 人 · 平均办理 {m} · 目标等候 {w} · 已开 {o} / 需 {n}', en: '{a}/h arriving · {m} per visit · target {w} · {o} open / {n} needed' },
  'sv.col.counter': { zh: '窗口', en: 'Counter' },
  'sv.col.status': { zh: '状态', en: 'Status' },
  'sv.col.timer': { zh: '计时', en: 'For' },
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
  'sv.sys': { zh: '系统告警 · {part}：{msg}', en: 'System · {part}: {msg}' },
  'sv.sys.disk': { zh: '磁盘空间', en: 'Disk space' },
  'sv.sys.clock': { zh: '系统时钟', en: 'Clock' },
  'sv.sys.journal': { zh: '本地日志库', en: 'Journal' },
  'sv.sys.broker': { zh: '设备连接服务', en: 'Device broker' },
  'sv.sys.mysql': { zh: '城市数据库复制', en: 'MySQL replication' },
  'sv.login.open': { zh: '监督员登录', en: 'Supervisor login' },
  'sv.login.title': { zh: '监督员登录后显示告警与调度建议', en: 'Log in as a supervisor for alerts and staffing advice' },
  'sv.login.user': { zh: '用户名', en: 'User name' },
  'sv.login.pw': { zh: '密码', en: 'Password' },
  'sv.login': { zh: '登录', en: 'Log in' },
  'sv.login.bad': { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  'sv.login.role': { zh: '此账号不是监督员', en: 'This account is not a supervisor' },
  'sv.level.yellow': { zh: '黄牌', en: 'Yellow' },
  'sv.level.red': { zh: '红牌', en: 'Red' },
  'sv.kind.wait_over_target': { zh: '等候超时', en: 'Wait over target' },
  'sv.kind.idle_with_queue': { zh: '有人等候但窗口空闲', en: 'Idle with a queue' },
  'sv.kind.long_pause': { zh: '暂停过长', en: 'Long pause' },
  'sv.kind.service_over': { zh: '办理超时', en: 'Service too long' },
  'sv.kind.device_offline': { zh: '设备离线', en: 'Device offline' },
  'sv.kind.bad_rating': { zh: '差评', en: 'Bad rating' },
  'sv.kind.case_overdue': { zh: '差评整改逾期', en: 'Case overdue' },
  'sv.age': { zh: '已持续 {d}', en: 'for {d}' },
  'sv.raised': { zh: '{t} 起', en: 'since {t}' },
  'sv.case': { zh: '案件 {id}', en: 'Case {id}' },
  'dev.kiosk': { zh: '取号机', en: 'Kiosk' },
  'dev.caller': { zh: '呼叫器', en: 'Caller' },
  'dev.counter_display': { zh: '窗口屏', en: 'Counter display' },
  'dev.rater': { zh: '评价器', en: 'Rater' },
  'dev.hall_screen': { zh: '综合屏', en: 'Hall screen' },
  'dev.alarm': { zh: '报警器', en: 'Alarm' },
});

const q = new URLSearchParams(location.search);
const WARN_S = (parseFloat(q.get('warn')) || 15) * 60;
const BAD_S = (parseFloat(q.get('bad')) || 30) * 60;
const STAFFING_EVERY_MS = 10000;
const HEALTH_EVERY_MS = 15000;
let tz = q.get('tz') || 'Asia/Shanghai';

// SupervisorStream is the hall stream with ?view=supervisor: its snapshot
// holds state.alerts, counter_since and today, which it keeps.
class SupervisorStream extends HallStream {
  url() {
    const u = super.url();
    return u + (u.includes('?') ? '&' : '?') + 'view=supervisor';
  }

  _applySnapshot(state, seq) {
    this.extra = { alerts: state.alerts || [], counter_since: state.counter_since || {}, today: state.today || null };
    super._applySnapshot(state, seq);
  }
}

const $ = (s) => document.querySelector(s);
const ui = {
  hall: $('[data-testid="hall-name"]'),
  clock: $('[data-testid="clock"]'),
  user: $('[data-testid="sv-user"]'),
  loginOpen: $('[data-testid="sv-login-open"]'),
  login: $('[data-testid="sv-login"]'),
  loginErr: $('[data-testid="sv-login-error"]'),
  counters: $('[data-testid="counters"]'),
  services: $('[data-testid="services"]'),
  devices: $('[data-testid="devices"]'),
  devSum: $('[data-testid="devices-summary"]'),
  recent: $('[data-testid="recent-calls"]'),
  alerts: $('[data-testid="alerts"]'),
  board: $('[data-testid="alert-board"]'),
  boardSum: $('[data-testid="alert-summary"]'),
  staffing: $('[data-testid="staffing"]'),
  staffingAt: $('[data-testid="staffing-at"]'),
  kWaiting: $('[data-testid="kpi-waiting"]'),
  kWorking: $('[data-testid="kpi-working"]'),
  kPaused: $('[data-testid="kpi-paused"]'),
  kClosed: $('[data-testid="kpi-closed"]'),
  kMax: $('[data-testid="kpi-maxwait"]'),
  kOffline: $('[data-testid="devices-offline"]'),
  kSL: $('[data-testid="kpi-service-level"]'),
  kGood: $('[data-testid="kpi-good-rate"]'),
  conn: $('[data-testid="conn-status"]'),
};

let state = null;
let hall = null;
let me = null;                 // the logged-in supervisor, or null
const rows = new Map();
const since = new Map();       // counter id -> when its shown status began
const alerts = new Map();      // alert id -> alert (supervisor view only)
let today = null;
let advice = null;
let health = [];               // [part, message] of /readyz parts that are not ok

// window.hallqSupervisor is for tests and debugging.
const sv = { alerts, beeps: 0, blinks: 0, view: 'public', advice: null };
window.hallqSupervisor = sv;

// ---- formatting -------------------------------------------------------------

function fmtDur(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

function pct(v) {
  return v == null ? '-' : `${Math.round(v * 1000) / 10}%`;
}

function tick() {
  setText(ui.clock, fmtClock(new Date(), tz, true));
  if (state) {
    renderTimers();
    renderAges();
  }
  setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

// ---- counters ---------------------------------------------------------------

function buildCounters() {
  ui.counters.textContent = '';
  rows.clear();
  for (const c of state.counters) {
    const id = tid(c.id);
    const tr = el('tr', { testid: `counter-${id}`, 'data-counter': c.id });
    const cells = {
      name: el('td'),
      status: el('td', {}, el('span', { class: 'badge', testid: `counter-${id}-status` })),
      timer: el('td', { class: 'r tmr num', testid: `counter-${id}-timer` }),
      ticket: el('td', { class: 'n', testid: `counter-${id}-ticket` }),
      service: el('td'),
      staff: el('td', { testid: `counter-${id}-staff` }),
    };
    tr.append(cells.name, cells.status, cells.timer, cells.ticket, cells.service, cells.staff);
    rows.set(c.id, { tr, ...cells, badge: cells.status.firstChild });
    ui.counters.append(tr);
    renderCounter(c);
  }
  renderTimers();
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

// renderTimers shows how long each open counter has been idle, paused,
// calling or serving; red past the alert thresholds is the alert board's job.
function renderTimers() {
  const now = Date.now();
  for (const c of state.counters) {
    const r = rows.get(c.id);
    if (!r) {
      continue;
    }
    const s = since.get(c.id);
    const show = c.status !== 'closed' && s;
    setText(r.timer, show ? fmtDur((now - Date.parse(s)) / 1000) : '');
    const alerted = [...alerts.values()].find((a) => a.counter === c.id);
    r.tr.dataset.alert = alerted ? alerted.level : '';
  }
}

// ---- alerts -----------------------------------------------------------------

function subjectOf(a) {
  const parts = [];
  if (a.counter != null) {
    parts.push(pick(counterName(state, a.counter)));
    const c = state && state.counterById.get(String(a.counter));
    const staff = c && c.staff ? [c.staff.name, c.staff.staff_no || c.staff.id].filter(Boolean).join(' · ') : '';
    if (staff) {
      parts.push(staff);
    }
  }
  if (a.service != null) {
    parts.push(pick(serviceName(state, a.service)));
  }
  if (a.device != null) {
    const d = state && state.deviceById.get(String(a.device));
    parts.push(d && d.kind ? `${t('dev.' + d.kind)} ${a.device}` : String(a.device));
  }
  if (a.case_id != null) {
    parts.push(t('sv.case', { id: a.case_id }));
  }
  return parts.join(' · ');
}

function sortedAlerts() {
  return [...alerts.values()].sort((a, b) => {
    if ((a.level === 'red') !== (b.level === 'red')) {
      return a.level === 'red' ? -1 : 1;
    }
    return Date.parse(a.since) - Date.parse(b.since);
  });
}

function renderBoard() {
  ui.board.textContent = '';
  if (sv.view !== 'supervisor') {
    ui.board.append(el('li', { class: 'sv-none', text: t('sv.board.login') }));
    setText(ui.boardSum, '');
    return;
  }
  const list = sortedAlerts();
  let red = 0;
  for (const a of list) {
    if (a.level === 'red') {
      red++;
    }
    ui.board.append(el('li', { class: 'sv-card', testid: `alert-${tid(a.id)}`, 'data-level': a.level, 'data-kind': a.kind, 'data-alert': a.id },
      el('span', { class: 'lv', text: t('sv.level.' + a.level) }),
      el('span', { class: 'what' },
        el('b', { text: t('sv.kind.' + a.kind) }),
        el('span', { class: 'subj', testid: `alert-${tid(a.id)}-subject`, text: subjectOf(a) })),
      el('span', { class: 'age num', 'data-since': a.since, 'data-start': a.start || a.since }),
      el('span', { class: 'tm', text: t('sv.raised', { t: fmtTimeOf(a.since, tz, true) }) })));
  }
  if (list.length === 0) {
    ui.board.append(el('li', { class: 'sv-none', testid: 'alert-none', text: t('sv.board.none') }));
  }
  setText(ui.boardSum, t('sv.board.sum', { r: red, y: list.length - red }));
  renderAges();
}

// renderAges updates each card's age: how long its condition has lasted.
function renderAges() {
  const now = Date.now();
  for (const n of ui.board.querySelectorAll('.age')) {
    setText(n, t('sv.age', { d: fmtDur((now - Date.parse(n.dataset.start)) / 1000) }));
  }
}

// alarm blinks the screen and beeps once for a new red alert.
function alarm() {
  sv.blinks++;
  document.body.classList.remove('sv-red');
  void document.body.offsetWidth;
  document.body.classList.add('sv-red');
  if (q.get('mute')) {
    return;
  }
  try {
    const ctx = alarm.ctx || (alarm.ctx = new (window.AudioContext || window.webkitAudioContext)());
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.type = 'square';
    o.frequency.value = 880;
    g.gain.value = 0.08;
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    sv.beeps++;
  } catch (_) { /* no audio on this machine */ }
}

function onAlertEvent(ev) {
  const a = ev.alert;
  if (!a || !a.id) {
    return;
  }
  const before = alerts.get(a.id);
  if (ev.kind === 'alert.cleared') {
    alerts.delete(a.id);
  } else {
    alerts.set(a.id, a);
    if (a.level === 'red' && (!before || before.level !== 'red')) {
      alarm();
    }
  }
  renderBoard();
  renderTimers();
}

// ---- services, devices, recent calls, KPIs ------------------------------------

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
  const hints = [];
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
      hints.push(el('span', { class: 'sv-alert bad', testid: `alert-service-${id}`, text: t('sv.alert.busy', { s: pick(s.name), n: s.waiting, w: fmtWait(s.est_wait_s) }) }));
    } else if (s.waiting > 0 && n === 0 && state.counters.some((c) => Array.isArray(c.services))) {
      hints.push(el('span', { class: 'sv-alert', testid: `alert-service-${id}`, text: t('sv.alert.nocounter', { s: pick(s.name), n: s.waiting }) }));
    }
  }
  return hints;
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
  setText(ui.kSL, today ? pct(today.service_level) : '-');
  setText(ui.kGood, today ? pct(today.good_rate) : '-');
  ui.kSL.title = today ? `${today.within_target} / ${today.called}` : '';
  ui.kGood.title = today ? `${today.levels.join(' / ')} (5→1)` : '';
}

// ---- staffing advice ----------------------------------------------------------

function renderStaffing() {
  ui.staffing.textContent = '';
  if (sv.view !== 'supervisor' || !advice) {
    return;
  }
  setText(ui.staffingAt, fmtTimeOf(advice.at, tz, true));
  const need = advice.services.filter((a) => a.more > 0).sort((a, b) => b.more - a.more);
  for (const a of need) {
    const who = a.idle_staff.map((s) => `${s.name || s.id}（${s.counters.map((c) => pick(counterName(state, c))).join('、')}）`);
    ui.staffing.append(el('li', { class: 'sv-adv' + (a.feasible ? '' : ' short'), testid: `staffing-${tid(a.service)}`, 'data-more': String(a.more) },
      el('b', { class: 'txt', testid: `staffing-${tid(a.service)}-text`, text: pick(a.text) }),
      el('span', { class: 'det', text: t('sv.staffing.detail', { a: a.arrivals_per_hour, m: fmtWait(a.service_mean_s), w: fmtWait(a.target_wait_s), o: a.counters_open, n: a.counters_needed }) }),
      el('span', { class: 'who', testid: `staffing-${tid(a.service)}-staff`, text: who.length ? t('sv.staffing.who', { who: shortList(who) }) : t('sv.staffing.nobody') })));
  }
  if (need.length === 0) {
    ui.staffing.append(el('li', { class: 'sv-none', testid: 'staffing-ok', text: t('sv.staffing.ok') }));
  }
}

// shortList names at most four and counts the rest.
function shortList(names) {
  const shown = names.slice(0, 4).join('；');
  return names.length > 4 ? `${shown} ${t('sv.staffing.more', { n: names.length - 4 })}` : shown;
}

async function loadStaffing() {
  if (sv.view !== 'supervisor') {
    return;
  }
  try {
    advice = await api('GET', hallPath(hall.id, '/staffing'));
    sv.advice = advice;
    if (advice.today) {
      today = advice.today;
    }
    renderStaffing();
    if (state) {
      renderKpis();
    }
  } catch (e) {
    if (e && e.status === 401) {   // the session ended: back to the public view
      me = null;
      sv.view = 'public';
      document.body.dataset.view = sv.view;
      clearInterval(staffingTimer);
      setText(ui.user, '');
      setupLogin();
      connect();
    }
  }
}

// ---- whole page -------------------------------------------------------------

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
  renderBoard();
  renderStaffing();
}

function renderSide() {
  renderKpis();
  const hints = renderServices();
  const off = renderDevices();
  if (off > 0) {
    hints.push(el('span', { class: 'sv-alert bad', testid: 'alert-devices', text: t('sv.alert.offline', { n: off }) }));
  }
  for (const [part, msg] of health) {
    const name = t('sv.sys.' + part);   // an unknown part is named as /readyz names it
    hints.push(el('span', { class: 'sv-alert bad', testid: `alert-system-${tid(part)}`,
      text: t('sv.sys', { part: name === 'sv.sys.' + part ? part : name, msg }) }));
  }
  ui.alerts.textContent = '';
  ui.alerts.append(...hints);
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

// whoAmI is the session's staff account when it may see alerts.
async function whoAmI() {
  try {
    const r = await api('GET', '/api/v1/me');
    if (r && r.user && (r.user.role === 'supervisor' || r.user.role === 'admin')) {
      return r.user;
    }
  } catch (_) { /* not logged in */ }
  return null;
}

let loginReady = false;
function setupLogin() {
  ui.loginOpen.hidden = false;
  if (loginReady) {
    return;
  }
  loginReady = true;
  ui.loginOpen.addEventListener('click', () => {
    ui.login.hidden = !ui.login.hidden;
    if (!ui.login.hidden) {
      ui.login.querySelector('input').focus();
    }
  });
  ui.login.addEventListener('submit', async (e) => {
    e.preventDefault();
    setText(ui.loginErr, '');
    const f = new FormData(ui.login);
    try {
      const r = await api('POST', '/api/v1/login', { body: { username: f.get('username'), password: f.get('password') } });
      if (!r.user || (r.user.role !== 'supervisor' && r.user.role !== 'admin')) {
        setText(ui.loginErr, t('sv.login.role'));
        return;
      }
      ui.login.hidden = true;
      ui.loginOpen.hidden = true;
      becomeSupervisor(r.user);
    } catch (err) {
      setText(ui.loginErr, err && err.status === 401 ? t('sv.login.bad') : String(err && err.message || err));
    }
  });
}

let hs = null;
let staffingTimer = null;

// becomeSupervisor switches to the supervisor stream and staffing advice.
function becomeSupervisor(user) {
  me = user;
  sv.view = 'supervisor';
  document.body.dataset.view = sv.view;
  setText(ui.user, `${me.name || me.id}`);
  connect();
  loadStaffing();
  clearInterval(staffingTimer);
  staffingTimer = setInterval(loadStaffing, STAFFING_EVERY_MS);
}

// connect opens the hall stream for the current view, closing the last one.
function connect() {
  if (hs) {
    hs.stop();
  }
  const s = me ? new SupervisorStream(hall.id) : new HallStream(hall.id);
  hs = s;
  window.hallqStream = s;
  bindConnIndicator(s, ui.conn, t);
  s.on('snapshot', (st) => {
    state = st;
    if (st.hall && st.hall.timezone && !q.get('tz')) {
      tz = st.hall.timezone;
    }
    since.clear();
    alerts.clear();
    for (const c of st.counters) {
      c._shown = c.status;
    }
    if (s.extra) {
      for (const [id, at] of Object.entries(s.extra.counter_since)) {
        since.set(String(id), at);
      }
      for (const a of s.extra.alerts) {
        alerts.set(a.id, a);
      }
      today = s.extra.today;
    }
    rows.clear();
    renderAll();
  });
  s.on('event', (ev) => {
    if (ev.kind === 'local.refresh') {
      renderAll();
      return;
    }
    if (ev.kind === 'alert.raised' || ev.kind === 'alert.updated' || ev.kind === 'alert.cleared') {
      onAlertEvent(ev);
      return;
    }
    if (ev.counter != null && ev.counter_status) {
      const id = String(ev.counter);
      const c = state.counterById.get(id);
      if (c && c._shown !== ev.counter_status) {
        since.set(id, ev.at);
      }
      if (c) {
        c._shown = ev.counter_status;
      }
      if (c && rows.has(c.id)) {
        renderCounter(c);
      } else {
        buildCounters();
      }
    }
    renderSideSoon();
  });
  s.on('call', (call) => {
    const r = rows.get(String(call.counter));
    if (r) {
      r.tr.classList.remove('flash');
      void r.tr.offsetWidth;
      r.tr.classList.add('flash');
    }
  });
  s.start();
}

// loadHealth reads /readyz: a part that is not ok (a disk running out of
// space, a clock behind the journal, appends failing, the broker not
// accepting, MySQL behind) is shown in the alert strip until it is ok again.
async function loadHealth() {
  let body;
  try {
    const res = await fetch('/readyz', { cache: 'no-store' });
    body = await res.json();
  } catch (e) {
    return; // the connection indicator already says hallqd is unreachable
  }
  const parts = (body && body.parts) || {};
  const next = Object.keys(parts).filter((k) => parts[k] !== 'ok').sort().map((k) => [k, String(parts[k])]);
  if (JSON.stringify(next) !== JSON.stringify(health)) {
    health = next;
    sv.health = health;
    if (state) {
      renderSide();
    }
  }
}

async function main() {
  initToggle();
  applyStatic();
  onLangChange(() => {
    rows.clear();
    renderAll();
  });
  hall = await getHall();
  if (hall.timezone && !q.get('tz')) {
    tz = hall.timezone;
  }
  tick();
  const user = await whoAmI();
  if (user) {
    becomeSupervisor(user);
  } else {
    setupLogin();
    connect();
  }
  setInterval(() => {
    if (state) {
      renderKpis();
    }
  }, 30000);
  loadHealth();
  setInterval(loadHealth, HEALTH_EVERY_MS);
}

main();
