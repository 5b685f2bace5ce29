// /t/{ticket_id}: a citizen follows their ticket on a phone (opened from the
// ticket's QR code). GET /api/v1/halls/{hall}/tickets/{id} for the ticket, the
// hall websocket for live changes; when ticket.called / ticket.recalled names
// this ticket_id: a big banner, navigator.vibrate and a chime.
// URL options: ?lang=en, ?id=TICKET_ID (instead of the path).

import { addStrings, t, pick, lang, initToggle, onLangChange, fmtWait, errorText } from './i18n.js';
import { api, getHall, hallPath, fmtTimeOf, setText, pathParam } from './api.js';
import { openHallStream, bindConnIndicator, serviceName, counterName } from './hallstream.js';
import { renderCase } from './ticket-case.js';

addStrings({
  'tp.your.number': { zh: '您的号码', en: 'Your number' },
  'tp.ahead': { zh: '前面等候', en: 'Ahead of you' },
  'tp.people': { zh: '人', en: '' },
  'tp.est': { zh: '预计等候', en: 'Estimated wait' },
  'tp.enable': { zh: '开启声音和振动提醒', en: 'Turn on sound and vibration alerts' },
  'tp.enabled': { zh: '提醒已开启', en: 'Alerts are on' },
  'tp.issued': { zh: '取号时间', en: 'Issued' },
  'tp.called': { zh: '叫号时间', en: 'Called' },
  'tp.hint': { zh: '请保持本页面打开，叫到您的号码时会提醒您。过号请到窗口申请重新排队。', en: 'Keep this page open: it alerts you when your number is called. If you miss your turn, ask at a counter to be put back in the queue.' },
  'tp.alert.title': { zh: '到您了！', en: "It's your turn!" },
  'tp.alert.go': { zh: '请到', en: 'Please go to' },
  'tp.alert.do': { zh: '办理', en: '' },
  'tp.alert.ok': { zh: '知道了', en: 'OK' },
  'tp.where.called': { zh: '请到 {c} 办理', en: 'Please go to {c}' },
  'tp.where.serving': { zh: '正在 {c} 办理', en: 'Being served at {c}' },
  'tp.note.soon': { zh: '快到您了，请到等候区留意叫号。', en: 'Almost your turn: please wait near the counters.' },
  'tp.note.no_show': { zh: '您的号码已过号。如需继续办理，请到窗口申请恢复排队。', en: 'Your number was called but you were not there. Ask at a counter to be put back in the queue.' },
  'tp.note.held': { zh: '您的业务已挂起，补齐材料后请回到原窗口继续办理。', en: 'Your case is on hold: come back to the same counter with the missing documents.' },
  'tp.note.done': { zh: '业务已办结，感谢您的耐心！欢迎对我们的服务进行评价。', en: 'Done. Thank you! Please rate our service at the counter.' },
  'tp.note.cancelled': { zh: '该号码已取消。', en: 'This ticket was cancelled.' },
  'tp.note.expired': { zh: '该号码已过期（非当日号码）。', en: 'This ticket has expired.' },
  'tp.none': { zh: '无需等候', en: 'No wait' },
  'tp.notfound': { zh: '未找到该号码', en: 'Ticket not found' },
});

const q = new URLSearchParams(location.search);
let ticketId = pathParam('id');   // "20261203-A028", or today's "A028" (the server resolves it)
let tz = q.get('tz') || 'Asia/Shanghai';

const $ = (s) => document.querySelector(s);
const ui = {
  hall: $('[data-testid="hall-name"]'),
  number: $('[data-testid="ticket-number"]'),
  service: $('[data-testid="ticket-service"]'),
  status: $('[data-testid="ticket-status"]'),
  where: $('[data-testid="ticket-counter"]'),
  ahead: $('[data-testid="ticket-ahead"]'),
  est: $('[data-testid="ticket-est"]'),
  note: $('[data-testid="ticket-note"]'),
  issued: $('[data-testid="ticket-issued"]'),
  called: $('[data-testid="ticket-called"]'),
  err: $('[data-testid="ticket-error"]'),
  alert: $('[data-testid="ticket-alert"]'),
  alertCounter: $('[data-testid="ticket-alert-counter"]'),
  enable: $('[data-testid="ticket-enable-alerts"]'),
  conn: $('[data-testid="conn-status"]'),
};

let hall = null;
let state = null;
let ticket = null;
let audio = null;
const alerts = [];               // for tests: window.hallqTicket.alerts
window.hallqTicket = { alerts, get ticket() { return ticket; } };

function render() {
  const hn = (state && state.hall && state.hall.name) || (hall && hall.name);
  if (hn) {
    setText(ui.hall, pick(hn));
  }
  if (!ticket) {
    return;
  }
  const st = ticket.status || 'waiting';
  document.body.dataset.status = st;
  setText(ui.number, ticket.number || '');
  const sn = state && state.serviceById.get(String(ticket.service)) ? serviceName(state, ticket.service) : (ticket.service_name || serviceName(state, ticket.service));
  setText(ui.service, pick(sn));
  ui.status.dataset.status = st;
  setText(ui.status, t('tstatus.' + st));
  const cname = ticket.counter != null ? pick(counterName(state, ticket.counter)) : '';
  setText(ui.where, st === 'called' && cname ? t('tp.where.called', { c: cname }) : st === 'serving' && cname ? t('tp.where.serving', { c: cname }) : '');
  setText(ui.ahead, String(ticket.waiting_ahead ?? '-'));
  setText(ui.est, ticket.waiting_ahead > 0 ? (fmtWait(ticket.est_wait_s) || '-') : t('tp.none'));
  let note = '';
  if (st === 'waiting' && ticket.waiting_ahead != null && ticket.waiting_ahead <= 3) {
    note = t('tp.note.soon');
  } else if (['no_show', 'held', 'done', 'cancelled', 'expired'].includes(st)) {
    note = t('tp.note.' + st);
  }
  setText(ui.note, note);
  setText(ui.issued, fmtTimeOf(ticket.issued_at, tz, true) || '-');
  setText(ui.called, fmtTimeOf(ticket.called_at, tz, true) || '-');
  renderCase(ticket);
  document.title = `${ticket.number} · ${lang() === 'zh' ? '我的排队号' : 'My ticket'}`;
}

let loading = null;
async function load() {
  if (loading) {
    return loading;
  }
  loading = (async () => {
    try {
      ticket = await api('GET', hallPath(hall.id, `/tickets/${encodeURIComponent(ticketId)}`));
      if (ticket.ticket_id && ticket.ticket_id !== ticketId) {
        ticketId = ticket.ticket_id;          // looked up by today's number: follow the real id
        history.replaceState(null, '', `/t/${encodeURIComponent(ticketId)}${location.search}`);
      }
      ui.err.hidden = true;
      render();
    } catch (e) {
      if (e.code === 'unknown_ticket' || e.status === 404) {
        ui.err.textContent = t('tp.notfound');
        document.body.dataset.status = 'unknown';
      } else {
        ui.err.textContent = errorText(e);
      }
      ui.err.hidden = false;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

let reloadTimer = null;
function reloadSoon(ms) {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, ms);
}

// ---- alert: banner, vibration, chime --------------------------------------------
function chime() {
  const ctx = audio;
  if (!ctx) {
    return;
  }
  try {
    if (ctx.state !== 'running') {
      ctx.resume();
    }
    const t0 = ctx.currentTime + 0.05;
    // ding-dong, three times
    for (let r = 0; r < 3; r++) {
      [[880, 0], [659.25, 0.45]].forEach(([f, dt]) => {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        o.type = 'sine';
        o.frequency.value = f;
        const s = t0 + r * 1.3 + dt;
        g.gain.setValueAtTime(0.0001, s);
        g.gain.exponentialRampToValueAtTime(0.6, s + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, s + 0.9);
        o.connect(g).connect(ctx.destination);
        o.start(s);
        o.stop(s + 1);
      });
    }
  } catch (_) { /* no sound */ }
}

function alertCalled(call) {
  const cname = pick(counterName(state, call.counter));
  setText(ui.alertCounter, cname);
  ui.alert.hidden = false;
  ui.alert.dataset.counter = call.counter;
  alerts.push({ ticket: call.ticket, counter: String(call.counter), recall: !!call.recall });
  try {
    if (navigator.vibrate) {
      navigator.vibrate([400, 200, 400, 200, 800]);
    }
  } catch (_) { /* ignore */ }
  chime();
  window.scrollTo({ top: 0, behavior: 'smooth' });
}

function enableAlerts() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (AC && !audio) {
    try {
      audio = new AC();
    } catch (_) { /* ignore */ }
  }
  if (audio && audio.resume) {
    audio.resume();
  }
  try {
    if (navigator.vibrate) {
      navigator.vibrate(60);
    }
  } catch (_) { /* ignore */ }
  ui.enable.classList.add('on');
  setText(ui.enable.querySelector('span'), t('tp.enabled'));
}

async function main() {
  initToggle();
  onLangChange(() => {
    render();
    if (ui.enable.classList.contains('on')) {
      setText(ui.enable.querySelector('span'), t('tp.enabled'));
    }
  });
  ui.enable.addEventListener('click', enableAlerts);
  // any touch on the page also allows the chime (browsers need a gesture)
  document.addEventListener('pointerdown', () => {
    if (!audio) {
      const AC = window.AudioContext || window.webkitAudioContext;
      try {
        audio = AC ? new AC() : null;
      } catch (_) { /* ignore */ }
    }
    if (audio && audio.state !== 'running' && audio.resume) {
      audio.resume();
    }
  });
  $('[data-testid="ticket-alert-close"]').addEventListener('click', () => {
    ui.alert.hidden = true;
  });
  hall = await getHall();
  if (hall.timezone && !q.get('tz')) {
    tz = hall.timezone;
  }
  render();
  await load();
  const hs = await openHallStream({ hall: hall.id });
  bindConnIndicator(hs, ui.conn, t);
  hs.on('snapshot', (st) => {
    state = st;
    if (st.hall && st.hall.timezone && !q.get('tz')) {
      tz = st.hall.timezone;
    }
    render();
    reloadSoon(200);          // after a reconnect the ticket may have moved on
  });
  hs.on('event', (ev) => {
    if (!ticket) {
      return;
    }
    if (ev.ticket_id === ticketId) {
      if ((ev.kind === 'ticket.called' || ev.kind === 'ticket.recalled' || ev.kind === 'ticket.serving') && ev.counter != null) {
        ticket.status = ev.kind === 'ticket.serving' ? 'serving' : 'called';
        ticket.counter = String(ev.counter);
        ticket.called_at = ticket.called_at || ev.at;
        render();
      }
      reloadSoon(100);
    } else if (ev.service != null && String(ev.service) === String(ticket.service) && ticket.status === 'waiting') {
      reloadSoon(1500);       // someone ahead was called or left: new waiting_ahead
    } else if (ev.kind === 'local.refresh') {
      render();
    }
  });
  hs.on('call', (call) => {
    if (call.ticket_id === ticketId) {
      alertCalled(call);
    }
  });
  hs.start();
}

main();
