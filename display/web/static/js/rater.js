// 评价器 tablet page: /rate/{counter}#device=rater-12&token=SECRET
//
// The device id and secret come in the URL fragment (never sent to a server
// in a request line) and are kept in sessionStorage, like the kiosk page; the
// page calls the API with "Authorization: Bearer rater-12:SECRET". It polls
// the counter's rating prompt each second (the visit just finished or
// transferred there, with the staff card), shows five equal level buttons
// with none preselected (national rule: no level steered), and for a 差评
// (level 1-2) the reasons and the five dimensions before submitting.
import { api, uuid } from './api.js';
import { initToggle } from './i18n.js';

initToggle();

const $ = (s) => document.querySelector(s);
const counter = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const CRED_KEY = 'hallq.rater';
const DIMS = { approval: '审批行为', efficiency: '办事效率', attitude: '服务态度', fees: '收费情况', integrity: '廉政建设' };

function readCredentials() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  const device = h.get('device');
  const token = h.get('token');
  if (device && token) {
    try { sessionStorage.setItem(CRED_KEY, JSON.stringify({ device, token })); } catch (_) { /* ignore */ }
    try { history.replaceState(history.state, '', location.pathname + location.search); } catch (_) { /* ignore */ }
    return { device, token };
  }
  try {
    const s = JSON.parse(sessionStorage.getItem(CRED_KEY) || 'null');
    if (s && s.device && s.token) { return s; }
  } catch (_) { /* ignore */ }
  return null;
}

const cred = readCredentials();
let hallId = null;
let prompt = null;        // the visit being rated
let skew = 0;             // server clock minus ours, ms
let level = 0;
let reasons = new Set();
let dims = {};
let thanksUntil = 0;
let doneTicket = null;    // the visit just rated: its prompt is not shown again
let busy = false;

function view(v) { document.body.dataset.view = v; }

function showError(msg) {
  const el = $('[data-testid="rater-error"]');
  el.textContent = msg || '';
  el.hidden = !msg;
}

function setCard(card) {
  const c = card || {};
  $('[data-testid="rater-staff-name"]').textContent = c.name || '—';
  $('[data-testid="rater-staff-no"]').textContent = c.staff_no || '—';
  $('[data-testid="rater-staff-unit"]').textContent = c.unit || '—';
  $('[data-testid="rater-staff-initial"]').textContent = c.name ? c.name.slice(0, 1) : '?';
}

function buildBad(list) {
  const box = $('[data-testid="rater-reasons"]');
  if (!box.childElementCount) {
    for (const r of list) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'rt-reason';
      b.textContent = r;
      b.setAttribute('data-testid', 'rater-reason');
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        if (reasons.has(r)) { reasons.delete(r); } else { reasons.add(r); }
        b.setAttribute('aria-pressed', String(reasons.has(r)));
      });
      box.appendChild(b);
    }
    const body = $('[data-testid="rater-dims"] tbody');
    for (const [key, zh] of Object.entries(DIMS)) {
      const tr = document.createElement('tr');
      const th = document.createElement('td');
      th.textContent = zh;
      tr.appendChild(th);
      const td = document.createElement('td');
      for (let n = 5; n >= 1; n--) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rt-dim';
        b.textContent = String(n);
        b.setAttribute('data-testid', `rater-dim-${key}-${n}`);
        b.setAttribute('aria-pressed', 'false');
        b.addEventListener('click', () => {
          dims[key] = n;
          for (const o of td.querySelectorAll('button')) { o.setAttribute('aria-pressed', String(o === b)); }
        });
        td.appendChild(b);
      }
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }
}

// resetBad clears the choices of the last 差评.
function resetBad() {
  reasons = new Set();
  dims = {};
  for (const b of document.querySelectorAll('.rt-reason, .rt-dim')) { b.setAttribute('aria-pressed', 'false'); }
}

async function submit() {
  if (!prompt || busy) { return; }
  busy = true;
  const body = { level, ticket_id: prompt.ticket_id };
  if (level <= 2) {
    if (reasons.size) { body.reasons = Array.from(reasons); }
    if (Object.keys(dims).length) { body.dims = dims; }
  }
  try {
    await api('POST', `/api/v1/halls/${hallId}/counters/${encodeURIComponent(counter)}/rating`,
      { body, bearer: `${cred.device}:${cred.token}`, idempotencyKey: uuid() });
    showError('');
    doneTicket = prompt.ticket_id;
    prompt = null;
    thanksUntil = Date.now() + 4000;
    view('thanks');
  } catch (e) {
    showError(e.message || e.code);
    if (e.code === 'already_rated' || e.code === 'nothing_to_rate') {
      prompt = null;
      view('idle');
    }
  } finally {
    busy = false;
  }
}

for (const b of document.querySelectorAll('.rt-level')) {
  b.addEventListener('click', () => {
    level = Number(b.dataset.level);
    if (level <= 2) {
      view('bad');
    } else {
      submit();
    }
  });
}
$('[data-testid="rater-submit"]').addEventListener('click', submit);
$('[data-testid="rater-back"]').addEventListener('click', () => { level = 0; view('prompt'); });

function countdown() {
  const el = $('[data-testid="rater-countdown"]');
  if (!prompt) { el.textContent = ''; return; }
  const left = Math.max(0, Math.round((Date.parse(prompt.expires_at) - (Date.now() + skew)) / 1000));
  el.textContent = `剩余 ${left} 秒 · ${left} s left`;
  if (left <= 0 && document.body.dataset.view !== 'thanks') {
    prompt = null;
    view('idle');
  }
}

async function poll() {
  try {
    const r = await api('GET', `/api/v1/halls/${hallId}/counters/${encodeURIComponent(counter)}/rating-prompt`,
      { bearer: `${cred.device}:${cred.token}` });
    skew = Date.parse(r.now) - Date.now();
    buildBad(r.reasons || []);
    const p = r.prompt && r.prompt.ticket_id !== doneTicket ? r.prompt : null;
    const view_ = document.body.dataset.view;
    if (Date.now() < thanksUntil) {
      setCard(r.staff);
    } else if (p) {
      setCard(p.staff);
      if (!prompt || prompt.ticket_id !== p.ticket_id || view_ === 'idle' || view_ === 'thanks') {
        prompt = p;
        level = 0;
        resetBad();
        $('[data-testid="rater-ticket"]').textContent = p.ticket;
        view('prompt');
      }
    } else {
      prompt = null;
      setCard(r.staff);
      view('idle');
    }
    showError('');
  } catch (e) {
    showError(e.code === 'network' ? '网络中断，正在重连 Reconnecting…' : (e.message || e.code));
  }
}

async function start() {
  $('[data-testid="rater-counter"]').textContent = counter ? `${counter}号窗口` : '';
  if (!cred) {
    $('[data-testid="rater-auth-missing"]').hidden = false;
    return;
  }
  const h = await api('GET', '/api/v1/hall');
  hallId = h.id;
  $('[data-testid="hall-name"]').textContent = h.name.zh;
  await poll();
  setInterval(poll, 1000);
  setInterval(countdown, 250);
  window.hallqRater = { ready: true };
}

start().catch((e) => showError(String(e.message || e)));
