// 差评整改 cases page (/cases) for supervisors: the cases of every 差评
// (CONTRACT §5) and the complaints log, one case with its history and the
// steps allowed next. Keyboard: 1-5 switch lists, ↑/↓ move, Enter opens,
// Esc goes back to the list.
import { api, uuid } from './api.js';
import { initToggle } from './i18n.js';

initToggle();

const $ = (s) => document.querySelector(s);
const STATUS = {
  open: '待核实 open', verified: '已核实待整改 verified', rectified: '已整改待回访 rectified',
  closed: '已办结 closed', dismissed: '不予采信 dismissed', appealed: '申诉中 appealed',
};
const LEVEL = { 1: '非常不满意', 2: '不满意', 3: '基本满意', 4: '满意', 5: '非常满意' };
const ACTION = {
  opened: '立案 opened', verify: '核实 verify', rectify: '整改 rectify', callback: '回访 callback',
  appeal: '申诉 appeal', review: '复核 review', logged: '登记 logged', note: '进展 note', close: '办结 close',
};
const CHANNEL = { phone: '电话', box: '意见箱', mailbox: '邮箱', hotline: '12345热线' };

let hallId = null;
let csrf = null;
let tab = 'open';
let rows = [];
let selected = null; // the open case or complaint id
let shown = ''; // the record the detail shows, as JSON: the same one is not drawn again

// fmt shows an RFC 3339 time as the API gives it, in hall-local time
// (the server writes the hall's offset), whatever the browser's zone.
function fmt(t) {
  if (!t) { return '—'; }
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`;
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') { e.className = v; } else if (k === 'text') { e.textContent = v; } else { e.setAttribute(k, v); }
  }
  for (const k of kids) { e.append(k); }
  return e;
}

function showError(msg) {
  const e = $('[data-testid="cases-error"]');
  e.textContent = msg || '';
  e.hidden = !msg;
}

function base() { return `/api/v1/halls/${hallId}`; }

// ---- login --------------------------------------------------------------------

async function enter(res) {
  const rank = { staff: 1, supervisor: 2, admin: 3 };
  if ((rank[res.user.role] || 0) < 2) {
    throw new Error('需要督查或管理员权限 needs a supervisor or admin');
  }
  csrf = res.csrf_token;
  $('[data-testid="cases-user"]').textContent = `${res.user.name} (${res.user.id})`;
  document.body.dataset.view = 'main';
  await selectTab('open');
}

$('[data-testid="cases-login"]').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('[data-testid="cases-login-error"]');
  try {
    const res = await api('POST', '/api/v1/login', {
      body: { username: $('[data-testid="cases-username"]').value, password: $('[data-testid="cases-password"]').value },
    });
    err.hidden = true;
    await enter(res);
  } catch (e) {
    err.textContent = e.message || e.code;
    err.hidden = false;
  }
});

// ---- lists --------------------------------------------------------------------

async function selectTab(t) {
  tab = t;
  for (const b of document.querySelectorAll('.cs-tabs button')) {
    b.setAttribute('aria-selected', String(b.dataset.status === t));
  }
  $('[data-testid="complaint-form"]').hidden = t !== 'complaints';
  await load();
}

async function load() {
  try {
    if (tab === 'complaints') {
      rows = (await api('GET', `${base()}/complaints?status=all`)).complaints;
    } else {
      rows = (await api('GET', `${base()}/cases?status=${tab}`)).cases;
    }
    showError('');
  } catch (e) {
    showError(e.message || e.code);
    rows = [];
  }
  renderList();
  if (selected) {
    const r = rows.find((x) => (x.case_id || x.complaint_id) === selected);
    if (!r) {
      closeDetail();
    } else if (JSON.stringify(r) !== shown) {
      renderDetail(r); // redrawn only when it changed: a note being typed keeps its text and focus
    }
  }
}

function renderList() {
  const head = $('[data-testid="cases-head"]');
  const body = $('[data-testid="cases-list"]');
  head.textContent = '';
  body.textContent = '';
  const cols = tab === 'complaints'
    ? ['编号 No.', '渠道 Channel', '窗口 Counter', '人员 Staff', '期限 Due', '状态 Status']
    : ['案件 Case', '号码 Ticket', '窗口 Counter', '人员 Staff', '评价 Level', '期限 Due', '状态 Status'];
  head.append(el('tr', {}, ...cols.map((c) => el('th', { text: c }))));
  for (const r of rows) {
    const id = r.case_id || r.complaint_id;
    const tr = el('tr', { tabindex: '0', 'data-testid': tab === 'complaints' ? 'complaint-row' : 'case-row', 'data-id': id });
    if (r.overdue) { tr.classList.add('overdue'); tr.dataset.overdue = 'true'; }
    const badge = el('span', { class: 'cs-badge' + (r.overdue ? ' overdue' : ''), text: (r.overdue ? '超期 ' : '') + (STATUS[r.status] || r.status) });
    if (tab === 'complaints') {
      tr.append(el('td', { text: id }), el('td', { text: CHANNEL[r.channel] || r.channel }), el('td', { text: r.counter || '—' }),
        el('td', { text: r.staff_id || '—' }), el('td', { text: fmt(r.due_by) }), el('td', {}, badge));
    } else {
      const due = r.status === 'open' ? r.verify_by : r.rectify_by;
      tr.append(el('td', { text: id }), el('td', { text: r.ticket }), el('td', { text: r.counter }), el('td', { text: r.staff_id || '—' }),
        el('td', { text: `${r.level} ${LEVEL[r.level]}` }), el('td', { text: fmt(due) }), el('td', {}, badge));
    }
    tr.addEventListener('click', () => open(id));
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') { ev.preventDefault(); open(id); }
    });
    body.append(tr);
  }
  $('[data-testid="cases-empty"]').hidden = rows.length > 0;
}

function open(id) {
  const r = rows.find((x) => (x.case_id || x.complaint_id) === id);
  if (!r) { return; }
  selected = id;
  for (const tr of document.querySelectorAll('.cs-table tbody tr')) {
    tr.setAttribute('aria-selected', String(tr.dataset.id === id));
  }
  renderDetail(r);
  const first = $('[data-testid="case-actions"] select, [data-testid="case-actions"] textarea');
  if (first) { first.focus(); }
}

function closeDetail() {
  selected = null;
  shown = '';
  $('[data-testid="case-detail"]').hidden = true;
}

// ---- one case -----------------------------------------------------------------

function field(dl, k, v, cls) {
  dl.append(el('dt', { text: k }), el('dd', cls ? { class: cls, text: v } : { text: v }));
}

function renderDetail(r) {
  shown = JSON.stringify(r);
  const box = $('[data-testid="case-detail"]');
  box.hidden = false;
  box.classList.toggle('overdue', !!r.overdue);
  box.dataset.status = r.status;
  const dl = $('[data-testid="case-fields"]');
  dl.textContent = '';
  const isCase = !!r.case_id;
  $('[data-testid="case-title"]').textContent = isCase
    ? `${r.case_id} · ${STATUS[r.status] || r.status}${r.overdue ? ' · 超期 overdue' : ''}`
    : `${r.complaint_id} · ${r.status === 'open' ? '处理中 open' : '已办结 closed'}${r.overdue ? ' · 超期 overdue' : ''}`;
  if (isCase) {
    field(dl, '评价 Level', `${r.level} ${LEVEL[r.level]}`);
    field(dl, '号码 Ticket', `${r.ticket} (${r.service})`);
    field(dl, '窗口 Counter', r.counter);
    field(dl, '人员 Staff', r.staff_id || '—');
    field(dl, '原因 Reasons', (r.reasons || []).join('、') || '—');
    field(dl, '留言 Text', r.text || '—');
    field(dl, '立案 Opened', fmt(r.created_at));
    field(dl, '核实期限 Verify by', fmt(r.verify_by), r.overdue && r.status === 'open' ? 'late' : '');
    field(dl, '整改期限 Rectify by', fmt(r.rectify_by), r.overdue && r.status === 'verified' ? 'late' : '');
    field(dl, '追评 Follow-up', r.followup_level ? `${r.followup_level} ${LEVEL[r.followup_level]}` : '—');
  } else {
    field(dl, '渠道 Channel', CHANNEL[r.channel] || r.channel);
    field(dl, '窗口 Counter', r.counter || '—');
    field(dl, '人员 Staff', r.staff_id || '—');
    field(dl, '内容 Text', r.text);
    field(dl, '收到 Received', fmt(r.received_at));
    field(dl, '期限 Due by', fmt(r.due_by), r.overdue ? 'late' : '');
    field(dl, '结果 Outcome', r.outcome || '—');
  }
  const hist = $('[data-testid="case-history"]');
  hist.textContent = '';
  for (const h of r.history || []) {
    hist.append(el('li', { 'data-testid': 'case-step', text: `${fmt(h.at)} ${ACTION[h.action] || h.action}${h.by ? ' · ' + h.by : ''}${h.note ? ' · ' + h.note : ''}` }));
  }
  const acts = $('[data-testid="case-actions"]');
  acts.textContent = '';
  const actions = isCase ? (r.actions || []) : (r.status === 'open' ? ['note', 'close'] : []);
  if (!actions.length) {
    acts.append(el('p', { class: 'cs-hint', text: '无后续步骤 No further steps' }));
  }
  for (const a of actions) {
    acts.append(actionForm(r, a, isCase));
  }
}

function yesNo(name, yes, no) {
  return el('label', {}, name, el('select', { name: 'flag', 'data-testid': 'case-flag' },
    el('option', { value: 'true', text: yes }), el('option', { value: 'false', text: no })));
}

function actionForm(r, action, isCase) {
  const f = el('form', { 'data-testid': `case-action-${action}` }, el('h4', { text: ACTION[action] || action }));
  const key = uuid(); // one step per form, however often it is sent
  if (action === 'verify') { f.append(yesNo('属实? Valid', '属实 valid', '不属实 not valid')); }
  if (action === 'review') { f.append(yesNo('申诉成立? Upheld', '成立 upheld', '不成立 not upheld')); }
  if (action === 'callback') {
    f.append(yesNo('已联系? Reached', '已联系 reached', '未联系上 not reached'));
    f.append(el('label', {}, '追评 Follow-up', el('select', { name: 'level', 'data-testid': 'case-level' },
      el('option', { value: '', text: '无 none' }),
      ...[5, 4, 3, 2, 1].map((n) => el('option', { value: String(n), text: `${n} ${LEVEL[n]}` })))));
  }
  f.append(el('label', { class: 'wide' }, action === 'close' ? '处理结果 Outcome' : '说明 Note',
    el('textarea', { name: 'note', rows: '2', 'data-testid': `case-note-${action}` })));
  f.append(el('button', { type: 'submit', class: 'cs-btn cs-gold', 'data-testid': `case-do-${action}`, text: ACTION[action] || action }));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { note: f.querySelector('textarea').value };
    const flag = f.querySelector('[name="flag"]');
    if (flag) {
      const v = flag.value === 'true';
      if (action === 'verify') { body.valid = v; }
      if (action === 'review') { body.upheld = v; }
      if (action === 'callback') { body.reached = v; }
    }
    const lvl = f.querySelector('[name="level"]');
    if (lvl) { body.level = lvl.value ? Number(lvl.value) : null; }
    const path = isCase ? `${base()}/cases/${encodeURIComponent(r.case_id)}/${action}`
      : `${base()}/complaints/${encodeURIComponent(r.complaint_id)}/${action}`;
    document.body.dataset.busy = 'true'; // until the list is read again after the step
    try {
      const res = await api('POST', path, { body, csrf, idempotencyKey: key });
      showError('');
      renderDetail(res);
      await load();
    } catch (e) {
      showError(e.message || e.code);
    } finally {
      delete document.body.dataset.busy;
    }
  });
  return f;
}

// ---- complaints ---------------------------------------------------------------

$('[data-testid="complaint-form"]').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const body = { channel: f.channel.value, counter: f.counter.value.trim(), staff_id: f.staff_id.value.trim(), text: f.text.value };
  if (f.received_at.value) { body.received_at = new Date(f.received_at.value).toISOString(); }
  try {
    const res = await api('POST', `${base()}/complaints`, { body, csrf, idempotent: true });
    f.reset();
    selected = res.complaint_id;
    await load();
  } catch (e) {
    showError(e.message || e.code);
  }
});

// ---- keyboard -----------------------------------------------------------------

for (const b of document.querySelectorAll('.cs-tabs button')) {
  b.addEventListener('click', () => selectTab(b.dataset.status));
}

document.addEventListener('keydown', (ev) => {
  if (document.body.dataset.view !== 'main') { return; }
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
  if (ev.key === 'Escape') {
    closeDetail();
    const tr = document.querySelector('.cs-table tbody tr');
    if (tr) { tr.focus(); }
    return;
  }
  if (typing) { return; }
  const tabs = { 1: 'open', 2: 'overdue', 3: 'closed', 4: 'all', 5: 'complaints' };
  if (tabs[ev.key]) { selectTab(tabs[ev.key]); return; }
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    const trs = Array.from(document.querySelectorAll('.cs-table tbody tr'));
    if (!trs.length) { return; }
    const i = trs.indexOf(document.activeElement);
    const j = ev.key === 'ArrowDown' ? Math.min(trs.length - 1, i + 1) : Math.max(0, i - 1);
    trs[j].focus();
    ev.preventDefault();
  }
});

async function start() {
  const h = await api('GET', '/api/v1/hall');
  hallId = h.id;
  $('[data-testid="hall-name"]').textContent = h.name.zh;
  try {
    await enter(await api('GET', '/api/v1/me'));
  } catch (_) {
    document.body.dataset.view = 'login';
  }
  setInterval(() => { if (document.body.dataset.view === 'main') { load(); } }, 15000);
  window.hallqCases = { ready: true };
}

start().catch((e) => showError(String(e.message || e)));
