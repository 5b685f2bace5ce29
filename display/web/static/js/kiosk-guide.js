// The kiosk's 办事指南 (六公开 per service) and the letter keys of the
// appointment keypad. Loaded by kiosk.html next to kiosk.js; it only adds to
// the page: a 办事指南 chip on each service tile, the guide overlay, and the
// letters hallq's appointment codes use (no 0/O/1/I, docs/appointments.md).

import { addStrings, t, pick, pickOther, onLangChange } from './i18n.js';
import { getHall, el, setText, tid } from './api.js';
import { loadGuide, guideNodes } from './guide-data.js';

addStrings({
  'kiosk.guide.take': { zh: '取号办理', en: 'Take a ticket' },
});

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const IDLE_MS = 90000;

let services = [];
let openId = null;
let idle = null;

const overlay = el('div', { class: 'kg-overlay', testid: 'kiosk-guide', hidden: true, role: 'dialog', 'aria-modal': 'true' });
const head = el('div', { class: 'kg-head' });
const title = el('h2', { class: 'kg-title', testid: 'kiosk-guide-title' });
const sub = el('div', { class: 'kg-sub' });
const body = el('div', { class: 'kg-body', testid: 'kiosk-guide-body' });
const closeBtn = el('button', { type: 'button', class: 'ko-btn ko-btn-ghost', testid: 'kiosk-guide-close' });
const takeBtn = el('button', { type: 'button', class: 'ko-btn ko-btn-gold', testid: 'kiosk-guide-take' });
head.append(el('div', { class: 'kg-label', testid: 'kiosk-guide-label' }), title, sub);
overlay.append(head, body, el('div', { class: 'ko-row kg-row' }, closeBtn, takeBtn));

function labels() {
  setText(head.querySelector('.kg-label'), t('guide.title'));
  setText(closeBtn, t('kiosk.back'));
  setText(takeBtn, t('kiosk.guide.take'));
}

function show(id) {
  const svc = services.find((s) => s.id === id);
  if (!svc) {
    return;
  }
  openId = id;
  labels();
  setText(title, pick(svc.name));
  setText(sub, pickOther(svc.name));
  body.textContent = '';
  body.append(...guideNodes(svc, 'kiosk-guide'));
  body.scrollTop = 0;
  overlay.dataset.service = id;
  overlay.hidden = false;
  arm();
}

function hide() {
  overlay.hidden = true;
  openId = null;
  clearTimeout(idle);
}

function arm() {
  clearTimeout(idle);
  idle = setTimeout(hide, IDLE_MS);
}

// A chip inside each tile: a span, so the tile stays one button; its click
// does not reach the tile (which would take a ticket).
function addChips(tiles) {
  for (const tile of tiles.querySelectorAll('.ko-tile[data-service]')) {
    if (tile.querySelector('.kg-chip')) {
      continue;
    }
    const id = tile.dataset.service;
    const chip = el('span', { class: 'kg-chip', role: 'button', tabindex: '0', testid: `kiosk-guide-${tid(id)}`, text: t('guide.title') });
    const open = (e) => {
      e.preventDefault();
      e.stopPropagation();
      show(id);
    };
    chip.addEventListener('click', open);
    chip.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        open(e);
      }
    });
    tile.append(chip);
  }
}

// The appointment keypad gets the letters of hallq's codes.
function addLetters() {
  const pad = document.querySelector('[data-testid="kiosk-keypad"]');
  if (!pad || pad.querySelector('.kg-letters')) {
    return;
  }
  const row = el('div', { class: 'kg-letters', testid: 'kiosk-letters' });
  for (const c of LETTERS) {
    row.append(el('button', { type: 'button', class: 'ko-key kg-key num', 'data-key': c, testid: `kiosk-key-${c}`, text: c }));
  }
  pad.append(row);
}

async function main() {
  document.body.append(overlay);
  closeBtn.addEventListener('click', hide);
  takeBtn.addEventListener('click', () => {
    const id = openId;
    hide();
    const tile = document.querySelector(`.ko-tile[data-service="${CSS.escape(id || '')}"]`);
    if (tile) {
      tile.click();
    }
  });
  overlay.addEventListener('pointerdown', arm);
  addLetters();
  const tiles = document.querySelector('[data-testid="kiosk-services"]');
  new MutationObserver(() => addChips(tiles)).observe(tiles, { childList: true });
  onLangChange(() => {
    for (const c of document.querySelectorAll('.kg-chip')) {
      setText(c, t('guide.title'));
    }
    if (openId) {
      show(openId);
    }
  });
  const hall = await getHall();
  services = await loadGuide(hall.id);
  addChips(tiles);
  window.hallqKioskGuide = { services, show, hide };
}

main();
