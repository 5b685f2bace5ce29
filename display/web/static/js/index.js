// Index: links to every page and to each counter's screen.
import { addStrings, t, pick, initToggle, onLangChange } from './i18n.js';
import { api, getHall, hallPath, el, setText, tid } from './api.js';

addStrings({
  'ix.sub': { zh: '排队叫号系统 · hallq', en: 'Queue management · hallq' },
  'ix.hall': { zh: '综合屏', en: 'Hall screen' },
  'ix.hall.d': { zh: '大厅叫号屏：各窗口当前号码、等候人数、语音播报', en: 'Calls per counter, waiting per service, spoken announcements' },
  'ix.kiosk': { zh: '自助取号', en: 'Ticket kiosk' },
  'ix.kiosk.d': { zh: '取号机触摸屏（需设备凭据：/kiosk#device=…&token=…）', en: 'Touch screen (needs device credentials: /kiosk#device=…&token=…)' },
  'ix.console': { zh: '窗口工作台', en: 'Counter console' },
  'ix.console.d': { zh: '工作人员登录、签到、叫号与办理', en: 'Staff sign-in, attendance, calling and serving' },
  'ix.sup': { zh: '现场监控', en: 'Supervision' },
  'ix.sup.d': { zh: '窗口状态、业务等候、设备在线、最近叫号', en: 'Counters, queues, devices, recent calls' },
  'ix.fleet': { zh: '设备与固件', en: 'Devices and firmware' },
  'ix.fleet.d': { zh: '设备在线、固件版本、配置同步、固件灰度升级（管理员）', en: 'Devices, firmware, config drift, staged rollouts (admins)' },
  'ix.reports': { zh: '统计报表', en: 'Reports' },
  'ix.reports.d': { zh: '办件统计、满意度、排名与回访抽样（监察登录）', en: 'Visits, satisfaction, rankings and the call-back sample (supervisor login)' },
  'ix.counters': { zh: '窗口屏', en: 'Counter screens' },
  'ix.ticket': { zh: '查询我的号码', en: 'Follow my ticket' },
  'ix.ticket.ph': { zh: '票据编号（二维码中的编号）', en: 'Ticket id (from the QR code)' },
  'ix.go': { zh: '查询', en: 'Open' },
});

let hall = null;
let snap = null;

function render() {
  const name = (snap && snap.state && snap.state.hall && snap.state.hall.name) || (hall && hall.name);
  if (name) {
    setText(document.querySelector('[data-testid="hall-name"]'), pick(name));
    document.title = `${pick(name)} · hallq`;
  }
  const box = document.querySelector('[data-testid="counter-links"]');
  box.textContent = '';
  for (const c of (snap && snap.state && snap.state.counters) || []) {
    box.append(el('a', { href: `/screen/counter/${encodeURIComponent(c.id)}`, testid: `link-counter-${tid(c.id)}` },
      pick(c.name), el('code', { text: `/screen/counter/${c.id}` })));
  }
}

async function main() {
  initToggle();
  onLangChange(render);
  document.querySelector('[data-testid="ticket-lookup"]').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = String(new FormData(e.target).get('id') || '').trim();
    if (id) {
      location.href = `/t/${encodeURIComponent(id)}`;
    }
  });
  hall = await getHall();
  render();
  try {
    snap = await api('GET', hallPath(hall.id, '/snapshot'));
  } catch (_) { /* links to pages still work */ }
  render();
}

main();
