// 窗口工作台 staff console: /console.
//
// Sign in (POST /api/v1/login) -> choose the counter (POST .../counters/{c}/signin,
// records attendance) -> operate it with POST .../counters/{c}/ops/{op}. Every
// mutating request sends X-CSRF-Token and a fresh Idempotency-Key per click.
// The live waiting list (GET .../counters/{c}/waiting) is refreshed on each
// websocket event that touches the counter or one of its services.
//
// Keyboard: N or F1 next, R recall, S start, F finish, X no-show, H hold,
// U resume held, T transfer, G call a number, P pause / resume, O open, C close.

import { addStrings, t, pick, lang, initToggle, onLangChange } from './i18n.js';
import { staffError } from './errors.js';
import { api, getHall, hallPath, el, setText, tid, uuid, ApiError } from './api.js';
import { openHallStream, bindConnIndicator, serviceName, counterName } from './hallstream.js';
import { caseArgs, caseFinished } from './console-case.js';

addStrings({
  'cc.app': { zh: '窗口工作台', en: 'Counter console' },
  'cc.switch': { zh: '切换窗口', en: 'Change counter' },
  'cc.logout': { zh: '退出登录', en: 'Sign out' },
  'cc.login.title': { zh: '工作人员登录', en: 'Staff sign-in' },
  'cc.username': { zh: '用户名 / 工号', en: 'User name / staff no.' },
  'cc.password': { zh: '密码', en: 'Password' },
  'cc.login': { zh: '登录', en: 'Sign in' },
  'cc.login.bad': { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  'cc.pick.title': { zh: '请选择您的窗口并签到', en: 'Choose your counter and sign in' },
  'cc.pick.sub': { zh: '签到将记录考勤，窗口屏显示您的姓名。', en: 'Signing in records your attendance; the counter screen shows your name.' },
  'cc.pick.staff': { zh: '当前：{n}', en: 'Now: {n}' },
  'cc.pick.free': { zh: '无人签到', en: 'Nobody signed in' },
  'cc.current': { zh: '当前号码', en: 'Current ticket' },
  'cc.waited': { zh: '已等 {w}', en: 'waited {w}' },
  'cc.waiting': { zh: '等候', en: 'Waiting' },
  'cc.noshow': { zh: '过号', en: 'No-show' },
  'cc.heldlist': { zh: '挂起', en: 'On hold' },
  'cc.col.number': { zh: '号码', en: 'Number' },
  'cc.col.service': { zh: '业务', en: 'Service' },
  'cc.col.channel': { zh: '渠道', en: 'Channel' },
  'cc.col.waited': { zh: '已等', en: 'Waited' },
  'cc.empty': { zh: '暂无', en: 'None' },
  'cc.cancel': { zh: '取消', en: 'Cancel' },
  'cc.ok': { zh: '确定', en: 'OK' },
  'cc.held.note': { zh: '本窗口挂起：{n}（按 U 恢复）', en: 'Held at this counter: {n} (U to resume)' },
  'chan.walk_in': { zh: '现场', en: 'Walk-in' },
  'chan.green': { zh: '绿色通道', en: 'Priority' },
  'chan.appointment': { zh: '预约', en: 'Appointment' },
  'act.call': { zh: '叫此号', en: 'Call' },
  'act.reinstate': { zh: '恢复排队', en: 'Reinstate' },
  'act.cancel': { zh: '取消号码', en: 'Cancel' },
  'act.resume': { zh: '恢复办理', en: 'Resume' },
  'op.call.next': { zh: '叫下一位', en: 'Call next' },
  'op.call.recall': { zh: '重呼', en: 'Recall' },
  'op.serve.start': { zh: '开始办理', en: 'Start' },
  'op.serve.finish': { zh: '办结', en: 'Finish' },
  'op.call.no_show': { zh: '过号', en: 'No-show' },
  'op.ticket.hold': { zh: '挂起', en: 'Hold' },
  'op.ticket.resume': { zh: '恢复挂起', en: 'Resume held' },
  'op.ticket.transfer': { zh: '转移', en: 'Transfer' },
  'op.call.number': { zh: '指定叫号', en: 'Call number' },
  'op.counter.open': { zh: '开窗', en: 'Open' },
  'op.counter.pause': { zh: '暂停', en: 'Pause' },
  'op.counter.resume': { zh: '恢复服务', en: 'Resume' },
  'op.counter.close': { zh: '关窗', en: 'Close' },
  'ok.called': { zh: '已叫号 {n}', en: 'Called {n}' },
  'ok.done': { zh: '{op}：{n}', en: '{op}: {n}' },
  'ok.counter': { zh: '窗口状态：{s}', en: 'Counter: {s}' },
  'ok.reinstated': { zh: '{n} 已恢复排队', en: '{n} is back in the queue' },
  'ok.cancelled': { zh: '{n} 已取消', en: '{n} cancelled' },
  'dlg.pause': { zh: '暂停服务', en: 'Pause the counter' },
  'dlg.hold': { zh: '挂起当前号码', en: 'Hold the current ticket' },
  'dlg.reason': { zh: '原因', en: 'Reason' },
  'dlg.number': { zh: '指定叫号', en: 'Call a number' },
  'dlg.number.label': { zh: '号码（如 A023）', en: 'Number (e.g. A023)' },
  'dlg.transfer': { zh: '转移当前号码', en: 'Transfer the current ticket' },
  'dlg.to.service': { zh: '转到业务', en: 'To service' },
  'dlg.to.counter': { zh: '或转到窗口', en: 'Or to counter' },
  'dlg.none': { zh: '（不选）', en: '(none)' },
  'dlg.close': { zh: '关闭窗口？', en: 'Close the counter?' },
  'dlg.end': { zh: '{n} 尚未开始办理', en: '{n} was called but not started' },
  'dlg.end.text': { zh: '叫下一位之前，请选择该号码的结果：', en: 'Before calling the next, how did this visit end?' },
  'dlg.end.no_show': { zh: '过号（未到，可恢复）', en: 'No-show (can be reinstated)' },
  'dlg.end.done': { zh: '已办结', en: 'Done' },
  'dlg.end.need': { zh: '请选择：过号 (X) 或 已办结 (F)', en: 'Choose: no-show (X) or done (F)' },
  'dlg.close.text': { zh: '关窗后将不再为您叫号，正在办理的号码将办结。', en: 'No more calls for this counter; a ticket being served is finished.' },
  'dlg.cancel.ticket': { zh: '取消号码 {n}？', en: 'Cancel ticket {n}?' },
  'dlg.cancel.text': { zh: '取消后该号码不能再叫号。', en: 'A cancelled ticket cannot be called again.' },
  'reason.pause.1': { zh: '临时离开', en: 'Stepped away' },
  'reason.pause.2': { zh: '业务咨询', en: 'Consultation' },
  'reason.pause.3': { zh: '系统故障', en: 'System fault' },
  'reason.pause.4': { zh: '会议', en: 'Meeting' },
  'reason.hold.1': { zh: '材料不全', en: 'Missing documents' },
  'reason.hold.2': { zh: '需要复印', en: 'Needs copies' },
  'reason.hold.3': { zh: '等待审核', en: 'Awaiting review' },
  'pick.need': { zh: '请先选择要转到的业务或窗口', en: 'Choose a service or a counter' },
});

const $ = (s) => document.querySelector(s);
const ui = {
  hall: $('[data-testid="hall-name"]'),
  counterName: $('[data-testid="console-counter-name"]'),
  counterStatus: $('[data-testid="console-counter-status"]'),
  staff: $('[data-testid="console-staff"]'),
  err: $('[data-testid="console-error"]'),
  errText: $('[data-testid="console-error-text"]'),
  ok: $('[data-testid="console-ok"]'),
  login: $('[data-testid="console-login"]'),
  loginErr: $('[data-testid="console-login-error"]'),
  loginBtn: $('[data-testid="console-login-submit"]'),
  picker: $('[data-testid="console-counter-picker"]'),
  curBox: $('[data-testid="console-current-box"]'),
  cur: $('[data-testid="console-current"]'),
  curStatus: $('[data-testid="console-current-status"]'),
  curService: $('[data-testid="console-current-service"]'),
  curWaited: $('[data-testid="console-current-waited"]'),
  heldNote: $('[data-testid="console-held-note"]'),
  waiting: $('[data-testid="console-waiting"]'),
  noshow: $('[data-testid="console-noshow"]'),
  held: $('[data-testid="console-held"]'),
  wCount: $('[data-testid="console-waiting-count"]'),
  nCount: $('[data-testid="console-noshow-count"]'),
  hCount: $('[data-testid="console-held-count"]'),
  listEmpty: $('[data-testid="console-list-empty"]'),
  dialog: $('[data-testid="console-dialog"]'),
  dlgTitle: $('[data-testid="console-dialog-title"]'),
  dlgBody: $('[data-testid="console-dialog-body"]'),
  conn: $('[data-testid="conn-status"]'),
};

const LAST_COUNTER = 'hallq.console.counter';
let hall = null;
let hs = null;
let state = null;
let me = null;             // {user, csrf_token, counter}
let counter = null;        // counter id this console operates
let cur = null;            // {ticket_id?, number, service, status, waited_s?}
let lists = { waiting: [], no_show: [], held: [] };
let listsAt = 0;
let tab = 'waiting';
let inflight = false;

// test hooks
window.hallqConsole = {
  get counter() { return counter; },
  get current() { return cur; },
  get lists() { return lists; },
  get view() { return document.body.dataset.view; },
};

function setView(v) {
  document.body.dataset.view = v;
  if (v === 'login') {
    setTimeout(() => ui.login.querySelector('input').focus(), 0);
  }
}

// ---- messages ----------------------------------------------------------------
let errTimer = null;
function showError(e) {
  ui.errText.textContent = staffError(e);   // our words and the next step, never the server's text
  ui.err.dataset.code = (e && e.code) || '';
  ui.err.hidden = false;
  // restart the shake animation
  ui.err.style.animation = 'none';
  void ui.err.offsetWidth;
  ui.err.style.animation = '';
  clearTimeout(errTimer);
  errTimer = setTimeout(() => {
    ui.err.hidden = true;
  }, 12000);
}

function clearError() {
  ui.err.hidden = true;
}

let okTimer = null;
function showOk(text) {
  ui.ok.textContent = text;
  ui.ok.hidden = false;
  clearTimeout(okTimer);
  okTimer = setTimeout(() => {
    ui.ok.hidden = true;
  }, 3000);
}

// ---- auth ----------------------------------------------------------------------
function csrf() {
  return me && me.csrf_token;
}

async function post(path, body) {
  return api('POST', path, { body: body || {}, csrf: csrf(), idempotencyKey: uuid() });
}

function handleAuthError(e) {
  if (e instanceof ApiError && e.status === 401) {
    me = null;
    setView('login');
    return true;
  }
  return false;
}

async function checkSession() {
  try {
    me = await api('GET', '/api/v1/me');
  } catch (e) {
    me = null;
    setView('login');
    return;
  }
  const c = me.counter && typeof me.counter === 'object' ? me.counter.id ?? me.counter.counter : me.counter;
  if (c != null && c !== '') {
    counter = String(c);
    enterConsole();
  } else {
    showPicker();
  }
}

async function onLogin(e) {
  e.preventDefault();
  const f = new FormData(ui.login);
  ui.loginErr.hidden = true;
  ui.loginBtn.disabled = true;
  try {
    const res = await api('POST', '/api/v1/login', {
      body: { username: String(f.get('username') || '').trim(), password: String(f.get('password') || '') },
    });
    me = { user: res.user, csrf_token: res.csrf_token, counter: null };
    ui.login.reset();
    showPicker();
  } catch (err) {
    ui.loginErr.textContent = staffError(err, true);
    ui.loginErr.hidden = false;
  } finally {
    ui.loginBtn.disabled = false;
  }
}

async function logout() {
  try {
    await post('/api/v1/logout');
  } catch (_) { /* signed out anyway */ }
  me = null;
  counter = null;
  cur = null;
  setView('login');
}

// ---- counter picker ------------------------------------------------------------------
function showPicker() {
  setView('pick');
  renderPicker();
}

function renderPicker() {
  ui.picker.textContent = '';
  const last = localStorage.getItem(LAST_COUNTER);
  const cs = state ? state.counters : [];
  for (const c of cs) {
    const staff = c.staff_name || c.staff_id;
    const b = el('button', {
      type: 'button', class: 'cc-pick-item' + (c.id === last ? ' last' : ''), testid: `console-pick-${tid(c.id)}`,
      onclick: () => signin(c.id),
    },
    el('b', { text: pick(c.name) }),
    el('span', { class: 'badge', 'data-status': c.status, text: t('status.' + c.status) }),
    el('small', { text: staff ? t('cc.pick.staff', { n: staff }) : t('cc.pick.free') }));
    ui.picker.append(b);
  }
}

async function signin(id) {
  clearError();
  try {
    const res = await post(hallPath(hall.id, `/counters/${encodeURIComponent(id)}/signin`));
    counter = String((res && res.counter) || id);
    localStorage.setItem(LAST_COUNTER, counter);
    if (me) {
      me.counter = counter;
    }
    enterConsole();
  } catch (e) {
    if (!handleAuthError(e)) {
      showError(e);
    }
  }
}

// ---- the console -----------------------------------------------------------------------
function enterConsole() {
  setView('main');
  cur = null;
  syncFromState();
  render();
  refreshLists();
}

function myCounter() {
  return state && counter != null ? state.counterById.get(counter) : null;
}

// The counter's services, when the snapshot lists them (else null = all).
function myServices() {
  const c = myCounter();
  return c && Array.isArray(c.services) ? new Set(c.services.map(String)) : null;
}

// Current ticket from the live hall state (keeps the ticket_id of an op result).
function syncFromState() {
  const c = myCounter();
  if (!c) {
    return;
  }
  if ((c.status === 'called' || c.status === 'serving') && c.ticket) {
    const same = cur && cur.number === c.ticket;
    cur = { ...(same ? cur : {}), number: c.ticket, service: c.service, status: c.status };
  } else {
    cur = null;
  }
}

function fmtDur(s) {
  if (s == null || !isFinite(s)) {
    return '';
  }
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60);
  if (m < 1) {
    return lang() === 'zh' ? `${s}秒` : `${s}s`;
  }
  if (m < 60) {
    return lang() === 'zh' ? `${m}分钟` : `${m} min`;
  }
  const h = Math.floor(m / 60);
  return lang() === 'zh' ? `${h}小时${m % 60}分` : `${h} h ${m % 60} min`;
}

function render() {
  const hn = (state && state.hall && state.hall.name) || (hall && hall.name);
  setText(ui.hall, hn ? pick(hn) : '');
  if (document.body.dataset.view === 'pick') {
    renderPicker();
  }
  if (counter == null) {
    return;
  }
  const c = myCounter();
  setText(ui.counterName, pick(counterName(state, counter)));
  const status = c ? c.status : '';
  ui.counterStatus.dataset.status = status;
  setText(ui.counterStatus, status ? t('status.' + status) : '');
  const staff = me && me.user ? `${me.user.name || ''}${me.user.id ? ' · ' + me.user.id : ''}` : '';
  setText(ui.staff, staff);
  document.title = `${pick(counterName(state, counter))} · ${t('cc.app')}`;
  // current ticket
  ui.curBox.dataset.status = cur ? cur.status : (status || '');
  setText(ui.cur, cur ? cur.number : '');
  ui.curStatus.dataset.status = cur ? cur.status : '';
  setText(ui.curStatus, cur ? t('tstatus.' + cur.status) : '');
  setText(ui.curService, cur && cur.service ? pick(serviceName(state, cur.service)) : '');
  setText(ui.curWaited, cur && cur.waited_s != null ? t('cc.waited', { w: fmtDur(cur.waited_s) }) : '');
  const heldHere = lists.held[0];
  ui.heldNote.hidden = !heldHere;
  setText(ui.heldNote, heldHere ? t('cc.held.note', { n: heldHere.number }) : '');
  // which buttons make sense now
  const suggest = new Set();
  if (status === 'closed') {
    suggest.add('counter.open');
  } else if (status === 'paused') {
    suggest.add('counter.resume');
  } else if (cur && cur.status === 'called') {
    suggest.add('serve.start').add('call.recall').add('call.no_show');
  } else if (cur && cur.status === 'serving') {
    suggest.add('serve.finish').add('ticket.hold').add('ticket.transfer');
  }
  if (heldHere) {
    suggest.add('ticket.resume');
  }
  for (const b of document.querySelectorAll('.cc-op')) {
    b.classList.toggle('suggest', suggest.has(b.dataset.op));
  }
  $('[data-testid="console-pause"]').hidden = status === 'paused';
  $('[data-testid="console-counter-resume"]').hidden = status !== 'paused';
  $('[data-testid="console-open"]').classList.toggle('muted', status !== 'closed');
  renderLists();
}

function chanBadge(ch) {
  if (!ch || ch === 'walk_in') {
    return el('span', { class: 'cc-chan', text: t('chan.walk_in') });
  }
  return el('span', { class: `cc-chan ${ch}`, text: t('chan.' + ch) });
}

function renderLists() {
  const elapsed = listsAt ? (Date.now() - listsAt) / 1000 : 0;
  const row = (x, acts) => el('tr', { testid: `console-row-${tid(x.ticket_id)}`, 'data-ticket': x.number },
    el('td', { class: 'n', text: x.number }),
    el('td', { text: pick(serviceName(state, x.service)) }),
    el('td', {}, chanBadge(x.channel)),
    el('td', { text: fmtDur((x.waited_s || 0) + elapsed) }),
    el('td', { class: 'acts' }, ...acts));
  const mini = (label, testid, fn, cls = '') => el('button', { type: 'button', class: 'cc-mini ' + cls, testid, text: label, onclick: fn });
  ui.waiting.textContent = '';
  for (const x of lists.waiting) {
    ui.waiting.append(row(x, [
      mini(t('act.call'), `console-callthis-${tid(x.ticket_id)}`, () => runOp('call.number', { number: x.number })),
      mini(t('act.cancel'), `console-cancel-${tid(x.ticket_id)}`, () => cancelTicket(x), 'danger'),
    ]));
  }
  ui.noshow.textContent = '';
  for (const x of lists.no_show) {
    ui.noshow.append(row(x, [
      mini(t('act.reinstate'), `console-reinstate-${tid(x.ticket_id)}`, () => reinstate(x)),
      mini(t('act.call'), `console-callthis-${tid(x.ticket_id)}`, () => runOp('call.number', { number: x.number })),
    ]));
  }
  ui.held.textContent = '';
  for (const x of lists.held) {
    ui.held.append(row(x, [mini(t('act.resume'), `console-resume-${tid(x.ticket_id)}`, () => runOp('ticket.resume'))]));
  }
  setText(ui.wCount, String(lists.waiting.length));
  setText(ui.nCount, String(lists.no_show.length));
  setText(ui.hCount, String(lists.held.length));
  ui.waiting.hidden = tab !== 'waiting';
  ui.noshow.hidden = tab !== 'no_show';
  ui.held.hidden = tab !== 'held';
  for (const b of document.querySelectorAll('.cc-tab')) {
    b.classList.toggle('active', b.dataset.tab === tab);
  }
  ui.listEmpty.hidden = lists[tab].length > 0;
}

let listTimer = null;
let listBusy = false;
let listAgain = false;
async function refreshLists() {
  if (counter == null || !hall) {
    return;
  }
  if (listBusy) {
    listAgain = true;
    return;
  }
  listBusy = true;
  try {
    const res = await api('GET', hallPath(hall.id, `/counters/${encodeURIComponent(counter)}/waiting`));
    lists = { waiting: res.waiting || [], no_show: res.no_show || [], held: res.held || [] };
    listsAt = Date.now();
    render();
  } catch (e) {
    handleAuthError(e);
  } finally {
    listBusy = false;
    if (listAgain) {
      listAgain = false;
      refreshListsSoon(200);
    }
  }
}

function refreshListsSoon(ms = 300) {
  clearTimeout(listTimer);
  listTimer = setTimeout(refreshLists, ms);
}

// ---- ops -----------------------------------------------------------------------------------
const DIALOG_OPS = new Set(['counter.pause', 'ticket.hold', 'call.number', 'ticket.transfer', 'counter.close']);

async function onOpButton(op) {
  if (inflight) {
    return;
  }
  if (op === 'call.next') {
    // The citizen was called but never started: did they come (已办结) or
    // not (过号, reinstatable)? Calling next would otherwise finish the
    // visit and prompt a rating for a service that never happened.
    const c = myCounter();
    if (c && c.status === 'called' && c.ticket) {
      const end = await askEndOfCall(c.ticket);
      if (end === null) {
        return;
      }
      if (end === 'no_show' && !(await runOp('call.no_show', {}))) {
        return;
      }
      return runOp('call.next', {});
    }
  }
  if (DIALOG_OPS.has(op)) {
    const args = await askArgs(op);
    if (args === null) {
      return;
    }
    return runOp(op, args);
  }
  return runOp(op, {});
}

async function runOp(op, args) {
  if (inflight || counter == null) {
    return;
  }
  inflight = true;
  clearError();
  const btns = document.querySelectorAll('.cc-op, .cc-mini');
  const btn = document.querySelector(`.cc-op[data-op="${op}"]`);
  btns.forEach((b) => {
    b.disabled = true;
  });
  if (btn) {
    btn.classList.add('busy');
  }
  try {
    const res = await post(hallPath(hall.id, `/counters/${encodeURIComponent(counter)}/ops/${op}`), caseArgs(op, args || {}));
    applyResult(op, res);
    caseFinished(op, res);
    return true;
  } catch (e) {
    if (!handleAuthError(e)) {
      showError(e);
    }
    return false;
  } finally {
    inflight = false;
    btns.forEach((b) => {
      b.disabled = false;
    });
    if (btn) {
      btn.classList.remove('busy');
    }
    refreshListsSoon(150);
  }
}

function applyResult(op, res) {
  if (!res) {
    return;
  }
  if (res.number !== undefined) {
    // a ticket
    if (res.status === 'called' || res.status === 'serving') {
      cur = { ticket_id: res.ticket_id, number: res.number, service: res.service, status: res.status, waited_s: res.waited_s };
    } else if (cur && cur.number === res.number) {
      cur = null;
    }
    const c = myCounter();
    if (c && (res.status === 'called' || res.status === 'serving')) {
      c.status = res.status;
      c.ticket = res.number;
      c.service = res.service;
    }
    showOk(op === 'call.next' || op === 'call.number' || op === 'call.recall' ? t('ok.called', { n: res.number }) : t('ok.done', { op: t('op.' + op), n: res.number }));
  } else if (res.status !== undefined) {
    // a counter state
    const c = myCounter();
    if (c) {
      c.status = res.status;
      c.ticket = res.ticket ?? null;
      c.service = res.service ?? null;
    }
    syncFromState();
    showOk(t('ok.counter', { s: t('status.' + res.status) }));
  }
  render();
}

async function reinstate(x) {
  if (inflight) {
    return;
  }
  inflight = true;
  try {
    await post(hallPath(hall.id, `/tickets/${encodeURIComponent(x.ticket_id)}/reinstate`));
    showOk(t('ok.reinstated', { n: x.number }));
  } catch (e) {
    if (!handleAuthError(e)) {
      showError(e);
    }
  } finally {
    inflight = false;
    refreshListsSoon(100);
  }
}

async function cancelTicket(x) {
  const ok = await dialog(t('dlg.cancel.ticket', { n: x.number }), [el('p', { text: t('dlg.cancel.text') })], () => ({}));
  if (ok === null || inflight) {
    return;
  }
  inflight = true;
  try {
    await post(hallPath(hall.id, `/tickets/${encodeURIComponent(x.ticket_id)}/cancel`));
    showOk(t('ok.cancelled', { n: x.number }));
  } catch (e) {
    if (!handleAuthError(e)) {
      showError(e);
    }
  } finally {
    inflight = false;
    refreshListsSoon(100);
  }
}

// ---- dialogs ----------------------------------------------------------------------------------
let dialogOpen = false;

// dialog(title, nodes, collect) -> Promise<args|null>; collect() returns the
// args, or a string (an error to show and keep the dialog open).
function dialog(title, nodes, collect) {
  return new Promise((resolve) => {
    dialogOpen = true;
    setText(ui.dlgTitle, title);
    ui.dlgBody.textContent = '';
    ui.dlgBody.append(...nodes);
    const note = el('div', { class: 'cc-login-error', hidden: true, testid: 'console-dialog-error' });
    ui.dlgBody.append(note);
    ui.dialog.hidden = false;
    const form = ui.dialog.querySelector('form');
    const first = ui.dlgBody.querySelector('input, select, textarea');
    setTimeout(() => (first || $('[data-testid="console-dialog-ok"]')).focus(), 0);
    const done = (v) => {
      dialogOpen = false;
      ui.dialog.hidden = true;
      form.onsubmit = null;
      cancelBtn.onclick = null;
      document.removeEventListener('keydown', onKey, true);
      resolve(v);
    };
    const cancelBtn = $('[data-testid="console-dialog-cancel"]');
    cancelBtn.onclick = () => done(null);
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        done(null);
      }
    };
    document.addEventListener('keydown', onKey, true);
    form.onsubmit = (e) => {
      e.preventDefault();
      const v = collect();
      if (typeof v === 'string') {
        note.textContent = v;
        note.hidden = false;
        return;
      }
      done(v);
    };
  });
}

function reasonField(keys, testid) {
  const input = el('input', { name: 'reason', testid, maxlength: '100', autocomplete: 'off' });
  const chips = el('div', { class: 'cc-chips' }, ...keys.map((k) => el('button', {
    type: 'button', class: 'cc-chip', text: t(k), onclick: () => {
      input.value = t(k);
      input.focus();
    },
  })));
  return { input, nodes: [el('label', {}, t('dlg.reason'), input), chips] };
}

// askEndOfCall asks, with one key, how the called visit ended: 'no_show'
// (X), 'done' (F), or null (Esc).
function askEndOfCall(number) {
  let choice = null;
  const pickBtn = (v, key, testid) => el('button', {
    type: 'submit', class: 'cc-btn cc-choice cc-choice-' + v, testid, 'data-choice': v,
    onclick: () => {
      choice = v;
    },
  }, el('kbd', { text: key }), ' ', t('dlg.end.' + v));
  const noShow = pickBtn('no_show', 'X', 'console-end-noshow');
  const done = pickBtn('done', 'F', 'console-end-done');
  const onKey = (e) => {
    const k = (e.key || '').toLowerCase();
    if (k === 'x' || k === '1') {
      e.preventDefault();
      noShow.click();
    } else if (k === 'f' || k === '2') {
      e.preventDefault();
      done.click();
    }
  };
  document.addEventListener('keydown', onKey, true);
  const p = dialog(t('dlg.end', { n: number }), [el('p', { text: t('dlg.end.text') }), el('div', { class: 'cc-choices' }, noShow, done)],
    () => (choice ? { choice } : t('dlg.end.need')));
  return p.then((v) => {
    document.removeEventListener('keydown', onKey, true);
    return v === null ? null : v.choice;
  });
}

function askArgs(op) {
  if (op === 'counter.pause') {
    const r = reasonField(['reason.pause.1', 'reason.pause.2', 'reason.pause.3', 'reason.pause.4'], 'console-dialog-reason');
    return dialog(t('dlg.pause'), r.nodes, () => (r.input.value.trim() ? { reason: r.input.value.trim() } : {}));
  }
  if (op === 'ticket.hold') {
    const r = reasonField(['reason.hold.1', 'reason.hold.2', 'reason.hold.3'], 'console-dialog-reason');
    return dialog(t('dlg.hold'), r.nodes, () => (r.input.value.trim() ? { reason: r.input.value.trim() } : {}));
  }
  if (op === 'call.number') {
    const input = el('input', { name: 'number', testid: 'console-dialog-number', autocomplete: 'off', maxlength: '16', class: 'cc-number-input' });
    return dialog(t('dlg.number'), [el('label', {}, t('dlg.number.label'), input)], () => {
      const n = input.value.trim().toUpperCase();
      return n ? { number: n } : t('dlg.number.label');
    });
  }
  if (op === 'ticket.transfer') {
    const svc = el('select', { name: 'to_service', testid: 'console-transfer-service' },
      el('option', { value: '', text: t('dlg.none') }),
      ...(state ? state.services : []).map((s) => el('option', { value: s.id, text: `${s.prefix || ''} ${pick(s.name)}` })));
    const ctr = el('select', { name: 'to_counter', testid: 'console-transfer-counter' },
      el('option', { value: '', text: t('dlg.none') }),
      ...(state ? state.counters : []).filter((c) => c.id !== counter).map((c) => el('option', { value: c.id, text: `${pick(c.name)} · ${t('status.' + c.status)}` })));
    return dialog(t('dlg.transfer'), [el('label', {}, t('dlg.to.service'), svc), el('label', {}, t('dlg.to.counter'), ctr)], () => {
      if (svc.value) {
        return { to_service: svc.value };
      }
      if (ctr.value) {
        return { to_counter: ctr.value };
      }
      return t('pick.need');
    });
  }
  if (op === 'counter.close') {
    return dialog(t('dlg.close'), [el('p', { text: t('dlg.close.text') })], () => ({}));
  }
  return Promise.resolve({});
}

// ---- keyboard ---------------------------------------------------------------------------------
const KEYS = {
  F1: 'call.next', n: 'call.next', r: 'call.recall', s: 'serve.start', f: 'serve.finish', x: 'call.no_show',
  h: 'ticket.hold', u: 'ticket.resume', t: 'ticket.transfer', g: 'call.number', o: 'counter.open', c: 'counter.close',
};

function onKeyDown(e) {
  if (document.body.dataset.view !== 'main' || dialogOpen) {
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) {
    return;
  }
  const tag = (e.target && e.target.tagName) || '';
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
    return;
  }
  const k = e.key && e.key.length === 1 ? e.key.toLowerCase() : e.key;
  let op = KEYS[k];
  if (k === 'p') {
    const c = myCounter();
    op = c && c.status === 'paused' ? 'counter.resume' : 'counter.pause';
  }
  if (!op) {
    return;
  }
  e.preventDefault();
  onOpButton(op);
}

// ---- wiring ---------------------------------------------------------------------------------------
function onHallEvent(ev) {
  if (counter == null) {
    if (document.body.dataset.view === 'pick' && ev.counter != null) {
      renderPicker();
    }
    return;
  }
  const mine = ev.counter != null && String(ev.counter) === counter;
  if (mine || ev.kind === 'local.refresh') {
    syncFromState();
    render();
  }
  const svcs = myServices();
  const touchesService = ev.service != null && (!svcs || svcs.has(String(ev.service)) || (ev.to_service != null && svcs.has(String(ev.to_service))));
  if (mine || touchesService || (ev.to_counter != null && String(ev.to_counter) === counter)) {
    refreshListsSoon(mine ? 150 : 400);
  }
}

async function main() {
  initToggle();
  onLangChange(render);
  ui.login.addEventListener('submit', onLogin);
  $('[data-testid="console-logout"]').addEventListener('click', logout);
  $('[data-testid="console-switch-counter"]').addEventListener('click', showPicker);
  $('[data-testid="console-error-close"]').addEventListener('click', clearError);
  for (const b of document.querySelectorAll('.cc-op')) {
    b.addEventListener('click', () => onOpButton(b.dataset.op));
  }
  for (const b of document.querySelectorAll('.cc-tab')) {
    b.addEventListener('click', () => {
      tab = b.dataset.tab;
      renderLists();
    });
  }
  document.addEventListener('keydown', onKeyDown);
  setInterval(() => {
    if (document.body.dataset.view === 'main') {
      renderLists();
    }
  }, 30000);
  setInterval(() => {
    if (document.body.dataset.view === 'main') {
      refreshLists();
    }
  }, 60000);

  hall = await getHall();
  hs = await openHallStream({ hall: hall.id });
  bindConnIndicator(hs, ui.conn, t);
  hs.on('snapshot', (st) => {
    state = st;
    syncFromState();
    render();
    if (counter != null) {
      refreshListsSoon(100);
    }
  });
  hs.on('event', onHallEvent);
  hs.start();
  await checkSession();
}

main();
