// 窗口屏 counter screen: /screen/counter/{counter}. Counter name, staff on
// duty, the current number huge, 暂停服务 / 休息中 states.
// URL options: ?lang=en, ?counter=ID (instead of the path), ?voice=zh|en|both
// (speaks this counter's calls; off by default, the hall screen speaks).

import { addStrings, t, pick, pickOther, lang, initToggle, onLangChange } from './i18n.js';
import { fmtClock, setText, tid, getHall, fitText, pathParam, el } from './api.js';
import { openHallStream, bindConnIndicator, serviceName } from './hallstream.js';

addStrings({
  'staff.on.duty': { zh: '当班工作人员', en: 'Staff on duty' },
  'staff.none': { zh: '暂无工作人员', en: 'No staff signed in' },
  'staff.id': { zh: '工号 {id}', en: 'No. {id}' },
  'label.called': { zh: '请以下号码到本窗口办理', en: 'Please come to this window' },
  'label.serving': { zh: '正在办理', en: 'Now serving' },
  'state.open': { zh: '欢迎办理', en: 'Welcome' },
  'state.open.sub': { zh: 'Please wait for your number', en: '请留意叫号' },
  'state.paused': { zh: '暂停服务', en: 'Paused' },
  'state.paused.sub': { zh: 'Service paused', en: '暂停服务' },
  'state.closed': { zh: '休息中', en: 'Closed' },
  'state.closed.sub': { zh: 'Closed', en: '休息中' },
  'unknown.counter': { zh: '未指定窗口', en: 'No counter given' },
});

const q = new URLSearchParams(location.search);
const counterId = pathParam('counter');
let tz = q.get('tz') || 'Asia/Shanghai';

const $ = (s) => document.querySelector(s);
const ui = {
  name: $('[data-testid="counter-name"]'),
  nameEn: $('[data-testid="counter-name-en"]'),
  clock: $('[data-testid="clock"]'),
  label: $('[data-testid="counter-label"]'),
  ticket: $('[data-testid="counter-ticket"]'),
  service: $('[data-testid="counter-service"]'),
  state: $('[data-testid="counter-state"]'),
  staff: $('[data-testid="counter-staff"]'),
  hall: $('[data-testid="hall-name"]'),
  conn: $('[data-testid="conn-status"]'),
  avatar: document.querySelector('.cs-avatar'),
};
ui.ticket.dataset.testid = `counter-${tid(counterId)}-ticket`;
ui.state.dataset.testid = `counter-${tid(counterId)}-status`;

let state = null;
let hallName = null;
let voice = null;

function tick() {
  setText(ui.clock, fmtClock(new Date(), tz, false));
  setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

function render() {
  const c = state && state.counterById.get(counterId);
  const name = c ? c.name : { zh: counterId ? `${counterId}号窗口` : t('unknown.counter'), en: counterId ? `Window ${counterId}` : '' };
  setText(ui.name, pick(name));
  setText(ui.nameEn, pickOther(name));
  fitText(ui.name, 0.5);
  const hn = (state && state.hall && state.hall.name) || hallName;
  setText(ui.hall, hn ? pick(hn) : '');
  document.title = `${pick(name)} · ${lang() === 'zh' ? '窗口屏' : 'Counter screen'}`;
  const status = c ? c.status : 'closed';
  document.body.dataset.status = status;
  ui.state.dataset.status = status;
  const hasTicket = (status === 'called' || status === 'serving') && c.ticket;
  setText(ui.ticket, hasTicket ? c.ticket : '');
  setText(ui.label, hasTicket ? t('label.' + status) : '');
  setText(ui.service, hasTicket && c.service ? pick(serviceName(state, c.service)) : '');
  const st = ['open', 'paused', 'closed'].includes(status) ? status : null;
  setText(ui.state.querySelector('.cs-state-main'), st ? t('state.' + st) : '');
  setText(ui.state.querySelector('.cs-state-sub'), st ? t('state.' + st + '.sub') : '');
  setText(ui.state.querySelector('.cs-state-reason'), status === 'paused' && c && c.pause_reason ? String(c.pause_reason) : '');
  // staff card (CONTRACT §2 staff): name, 工号, unit
  const card = c && c.staff;
  document.body.classList.toggle('no-staff', !card);
  ui.staff.textContent = '';
  if (card) {
    ui.staff.append(el('span', { class: 'name', testid: 'counter-staff-name', text: card.name || '' }));
    ui.staff.append(el('span', { class: 'id', testid: 'counter-staff-no', text: t('staff.id', { id: card.staff_no || card.id }) }));
    if (card.unit) {
      ui.staff.append(el('span', { class: 'unit', testid: 'counter-staff-unit', text: card.unit }));
    }
    setText(ui.avatar, (card.name || '').slice(0, 1) || '•');
  } else {
    ui.staff.textContent = t('staff.none');
    setText(ui.avatar, '');
  }
}

function flash() {
  document.body.classList.remove('flash');
  void document.body.offsetWidth;
  document.body.classList.add('flash');
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => document.body.classList.remove('flash'), 7000);
}

async function main() {
  initToggle();
  tick();
  render();
  onLangChange(render);
  if (q.get('voice')) {
    const { getVoice } = await import('./voice.js');
    voice = getVoice();
    const unlock = () => voice.unlock();
    document.addEventListener('click', unlock);
    document.addEventListener('keydown', unlock);
  }
  getHall().then((h) => {
    hallName = h && h.name;
    if (h && h.timezone && !q.get('tz')) {
      tz = h.timezone;
    }
    render();
  });
  const hs = await openHallStream();
  bindConnIndicator(hs, ui.conn, t);
  hs.on('snapshot', (st) => {
    state = st;
    if (st.hall && st.hall.timezone && !q.get('tz')) {
      tz = st.hall.timezone;
    }
    render();
  });
  hs.on('event', (ev) => {
    if (ev.kind === 'local.refresh' || String(ev.counter) === counterId) {
      render();
    }
  });
  hs.on('call', (call) => {
    if (String(call.counter) === counterId) {
      flash();
      if (voice) {
        voice.announce(call.ticket, call.counter, call.recall);
      }
    }
  });
  hs.start();
}

main();
