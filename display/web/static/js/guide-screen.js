// 办事指南 hall screen: /screen/guide cycles through the services' 六公开
// (CONTRACT §1 services[].info) while the hall is idle; a call interrupts it
// with the call for a few seconds. URL options: ?every=20 (seconds per
// service), ?lang=en.

import { addStrings, t, pick, pickOther, applyStatic, initToggle, onLangChange } from './i18n.js';
import { getHall, el, setText, fitText } from './api.js';
import { openHallStream, counterName } from './hallstream.js';
import { loadGuide, guideNodes } from './guide-data.js';

addStrings({
  'gs.call': { zh: '请{n}号到{c}办理', en: 'Number {n}, please go to {c}' },
});

const q = new URLSearchParams(location.search);
const EVERY_S = Math.max(5, parseInt(q.get('every') || '20', 10) || 20);
const CALL_S = 8;

const $ = (s) => document.querySelector(`[data-testid="${s}"]`);
let services = [];
let index = 0;
let timer = null;
let callTimer = null;
let state = null;
const shown = [];
window.hallqGuide = { shown, get index() { return index; } };

function render() {
  const svc = services[index];
  if (!svc) {
    return;
  }
  document.body.dataset.service = svc.id;
  setText($('guide-prefix'), svc.prefix || '');
  setText($('guide-service'), pick(svc.name));
  setText($('guide-service-other'), pickOther(svc.name));
  fitText($('guide-service'), 0.5);
  const body = $('guide-body');
  body.textContent = '';
  body.append(...guideNodes(svc, 'guide'));
  setText($('guide-pager'), `${index + 1} / ${services.length}`);
  shown.push(svc.id);
}

// next moves on, skipping services without a guide when some have one.
function next() {
  const withInfo = services.some((s) => s.info);
  for (let i = 0; i < services.length; i++) {
    index = (index + 1) % services.length;
    if (!withInfo || services[index].info) {
      break;
    }
  }
  render();
}

function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    if ($('guide-call').hidden) {
      next();
    }
  }, EVERY_S * 1000);
}

function showCall(ev) {
  const cn = counterName(state, ev.counter);
  setText($('guide-call-text'), t('gs.call', { n: ev.ticket, c: pick(cn) }));
  setText($('guide-call-other'), pickOther({ zh: `请${ev.ticket}号到${cn.zh}办理`, en: `Number ${ev.ticket}, please go to ${cn.en || cn.zh}` }));
  $('guide-call').dataset.ticket = ev.ticket;
  $('guide-call').hidden = false;
  clearTimeout(callTimer);
  callTimer = setTimeout(() => {
    $('guide-call').hidden = true;
  }, CALL_S * 1000);
}

async function main() {
  initToggle();
  onLangChange(() => {
    applyStatic();
    render();
  });
  const hall = await getHall();
  if (hall.name) {
    setText($('hall-name'), pick(hall.name));
  }
  services = await loadGuide(hall.id);
  index = Math.max(0, services.findIndex((s) => s.info));
  render();
  schedule();
  const hs = await openHallStream({ hall: hall.id });
  hs.on('snapshot', (st) => {
    state = st;
  });
  hs.on('event', (ev) => {
    if (ev.kind === 'ticket.called' || ev.kind === 'ticket.recalled') {
      showCall(ev);
    }
  });
  hs.start();
}

main();
