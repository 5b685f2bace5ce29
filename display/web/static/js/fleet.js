// 设备与固件 fleet page for admins: every device with kind, counter, online or
// offline since, firmware and its update state, config version against the
// desired one (drift) and when it last reported; filters; and the firmware
// rollouts (CONTRACT §6) with their stage, a progress bar and halt / rollback.
// Data: GET …/firmware/devices and …/firmware/rollouts, polled every 2 s.

import { addStrings, t, initToggle, onLangChange, errorText } from './i18n.js';
import { api, getHall, hallPath, fmtTimeOf, el, setText, tid } from './api.js';

addStrings({
  'fl.app': { zh: '设备与固件', en: 'Devices and firmware' },
  'fl.login.title': { zh: '管理员登录', en: 'Administrator sign-in' },
  'fl.username': { zh: '用户名', en: 'User name' },
  'fl.password': { zh: '密码', en: 'Password' },
  'fl.login': { zh: '登录', en: 'Sign in' },
  'fl.login.bad': { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  'fl.login.role': { zh: '需要管理员权限', en: 'The admin role is required' },
  'fl.rollouts': { zh: '固件升级', en: 'Firmware rollouts' },
  'fl.rollouts.none': { zh: '暂无升级任务', en: 'No rollouts yet' },
  'fl.devices': { zh: '设备', en: 'Devices' },
  'fl.sum': { zh: '显示 {n} / 共 {all} 台 · 在线 {on} · 配置未同步 {drift}', en: '{n} of {all} shown · {on} online · {drift} drifted' },
  'fl.all': { zh: '全部', en: 'All' },
  'fl.filter.kind': { zh: '类型', en: 'Kind' },
  'fl.filter.status': { zh: '状态', en: 'Status' },
  'fl.filter.q': { zh: '设备号 / 窗口 / 版本', en: 'Device / counter / version' },
  'fl.online': { zh: '在线', en: 'Online' },
  'fl.offline': { zh: '离线', en: 'Offline' },
  'fl.drift': { zh: '配置未同步', en: 'Config drift' },
  'fl.updating': { zh: '升级中', en: 'Updating' },
  'fl.failed': { zh: '升级失败', en: 'Update failed' },
  'fl.since': { zh: '自 {t}', en: 'since {t}' },
  'fl.never': { zh: '从未上线', en: 'never seen' },
  'fl.col.id': { zh: '设备', en: 'Device' },
  'fl.col.kind': { zh: '类型', en: 'Kind' },
  'fl.col.counter': { zh: '窗口', en: 'Counter' },
  'fl.col.online': { zh: '在线状态', en: 'Online' },
  'fl.col.fw': { zh: '固件', en: 'Firmware' },
  'fl.col.fwstate': { zh: '升级状态', en: 'Update' },
  'fl.col.config': { zh: '配置版本', en: 'Config' },
  'fl.col.seen': { zh: '最后上报', en: 'Last seen' },
  'fl.offered': { zh: '目标 {v}', en: 'target {v}' },
  'fw.idle': { zh: '正常', en: 'Idle' },
  'fw.downloading': { zh: '下载中', en: 'Downloading' },
  'fw.installing': { zh: '安装中', en: 'Installing' },
  'fw.failed': { zh: '失败', en: 'Failed' },
  'ro.canary': { zh: '灰度阶段', en: 'Canary' },
  'ro.rolling': { zh: '全量推送', en: 'Rolling out' },
  'ro.done': { zh: '已完成', en: 'Done' },
  'ro.halted': { zh: '已暂停', en: 'Halted' },
  'ro.rolled_back': { zh: '已回滚', en: 'Rolled back' },
  'ro.title': { zh: '{kind} → {v}', en: '{kind} → {v}' },
  'ro.progress': { zh: '已升级 {u} / {all} 台 · 已下发 {o} · 失败 {f}（上限 {max}）', en: '{u} of {all} updated · {o} offered · {f} failed (max {max})' },
  'ro.canary.info': { zh: '灰度 {n} 台，观察 {s} 秒后推送其余设备', en: '{n} canaries, the rest after a {s} s soak' },
  'ro.halt': { zh: '暂停', en: 'Halt' },
  'ro.rollback': { zh: '回滚', en: 'Roll back' },
  'ro.halted.by': { zh: '原因：{r}', en: 'reason: {r}' },
  'dev.kiosk': { zh: '取号机', en: 'Kiosk' },
  'dev.caller': { zh: '呼叫器', en: 'Caller' },
  'dev.counter_display': { zh: '窗口屏', en: 'Counter display' },
  'dev.rater': { zh: '评价器', en: 'Rater' },
  'dev.hall_screen': { zh: '综合屏', en: 'Hall screen' },
});

const POLL_MS = 2000;
const tz = new URLSearchParams(location.search).get('tz') || 'Asia/Shanghai';
const $ = (s) => document.querySelector(s);
const ui = {
  hall: $('[data-testid="hall-name"]'),
  user: $('[data-testid="fleet-user"]'),
  error: $('[data-testid="fleet-error"]'),
  login: $('[data-testid="fleet-login"]'),
  loginErr: $('[data-testid="fleet-login-error"]'),
  rollouts: $('[data-testid="rollouts"]'),
  devices: $('[data-testid="devices"]'),
  sum: $('[data-testid="devices-summary"]'),
  kind: $('[data-testid="filter-kind"]'),
  status: $('[data-testid="filter-status"]'),
  q: $('[data-testid="filter-q"]'),
};

let hall = null;
let me = null; // {user, csrf_token}
let fleet = null; // {devices, desired_config_version}
let rollouts = [];
let timer = null;

function setView(v) {
  document.body.dataset.view = v;
}

function showError(err) {
  if (!err) {
    ui.error.hidden = true;
    return;
  }
  ui.error.textContent = errorText(err);
  ui.error.hidden = false;
}

// ---- devices ------------------------------------------------------------

function updating(d) {
  return d.fw_state === 'downloading' || d.fw_state === 'installing';
}

function matches(d) {
  const kind = ui.kind.value;
  const st = ui.status.value;
  const q = ui.q.value.trim().toLowerCase();
  if (kind && d.kind !== kind) {
    return false;
  }
  if ((st === 'online' && !d.online) || (st === 'offline' && d.online) || (st === 'drift' && !d.drift) ||
      (st === 'updating' && !updating(d)) || (st === 'failed' && d.fw_state !== 'failed')) {
    return false;
  }
  if (q) {
    const hay = [d.id, d.counter, d.fw, d.offered].filter(Boolean).join(' ').toLowerCase();
    return hay.includes(q);
  }
  return true;
}

function renderDevices() {
  if (!fleet) {
    return;
  }
  const frag = document.createDocumentFragment();
  let shown = 0;
  let online = 0;
  let drift = 0;
  for (const d of fleet.devices) {
    online += d.online ? 1 : 0;
    drift += d.drift ? 1 : 0;
    if (!matches(d)) {
      continue;
    }
    shown++;
    const id = tid(d.id);
    const since = d.since ? t('fl.since', { t: fmtTimeOf(d.since, tz, true) }) : t('fl.never');
    const fwState = d.fw_state ? t('fw.' + d.fw_state) : '';
    const tr = el('tr', { testid: `dev-${id}`, dataset: { online: String(d.online), drift: String(d.drift), fwState: d.fw_state || '' } },
      el('td', { class: 'mono', text: d.id }),
      el('td', { text: t('dev.' + d.kind) }),
      el('td', { text: d.counter || '' }),
      el('td', { testid: `dev-${id}-online` },
        el('span', { class: 'fl-dot', dataset: { on: String(d.online) } }),
        `${d.online ? t('fl.online') : t('fl.offline')} · ${since}`),
      el('td', { testid: `dev-${id}-fw`, class: 'mono' }, d.fw || '–',
        d.offered && d.offered !== d.fw ? el('span', { class: 'fl-target', text: ' ' + t('fl.offered', { v: d.offered }) }) : null),
      el('td', { testid: `dev-${id}-fwstate` },
        fwState ? el('span', { class: 'fl-badge', dataset: { state: d.fw_state }, text: fwState, title: d.fw_error || '' }) : ''),
      el('td', { testid: `dev-${id}-config`, class: d.drift ? 'fl-drift' : '' },
        `${d.config_version || 0} / ${d.desired_config_version}` + (d.drift ? ' ⚠' : '')),
      el('td', { text: d.last_seen ? fmtTimeOf(d.last_seen, tz, true) : '' }));
    frag.append(tr);
  }
  ui.devices.textContent = '';
  ui.devices.append(frag);
  setText(ui.sum, ' ' + t('fl.sum', { n: shown, all: fleet.devices.length, on: online, drift }));
}

// ---- rollouts -----------------------------------------------------------

async function act(r, action) {
  showError(null);
  try {
    await api('POST', hallPath(hall.id, `/firmware/rollouts/${encodeURIComponent(r.id)}/${action}`), { csrf: me.csrf_token, body: {} });
  } catch (e) {
    showError(e);
  }
  await refresh();
}

function renderRollouts() {
  ui.rollouts.textContent = '';
  if (rollouts.length === 0) {
    ui.rollouts.append(el('p', { class: 'fl-muted', text: t('fl.rollouts.none') }));
    return;
  }
  for (const r of rollouts) {
    const id = tid(r.id);
    const all = r.devices.length;
    const pct = all ? Math.round((100 * r.updated) / all) : 0;
    const active = r.state === 'canary' || r.state === 'rolling';
    const bar = el('div', { class: 'fl-bar-track', testid: `rollout-${id}-progress`, role: 'progressbar',
      'aria-valuemin': '0', 'aria-valuemax': String(all), 'aria-valuenow': String(r.updated),
      dataset: { updated: String(r.updated), total: String(all), failures: String(r.failures) } },
    el('div', { class: 'fl-bar-fill' }));
    bar.firstChild.style.width = pct + '%';
    const card = el('div', { class: 'fl-rollout', testid: `rollout-${id}`, dataset: { state: r.state } },
      el('div', { class: 'fl-rollout-head' },
        el('span', { class: 'fl-rollout-id mono', text: r.id }),
        el('span', { class: 'fl-rollout-title', text: t('ro.title', { kind: t('dev.' + r.kind), v: r.version }) }),
        el('span', { class: 'fl-badge', testid: `rollout-${id}-state`, dataset: { state: r.state }, text: t('ro.' + r.state) })),
      bar,
      el('div', { class: 'fl-rollout-info', testid: `rollout-${id}-info`,
        text: t('ro.progress', { u: r.updated, all, o: r.offered, f: r.failures, max: r.params.max_failures }) }),
      el('div', { class: 'fl-muted' }, t('ro.canary.info', { n: r.params.canary_count, s: r.params.soak_s }),
        r.reason ? ' · ' + t('ro.halted.by', { r: r.reason }) : ''),
      el('div', { class: 'fl-actions' },
        el('button', { type: 'button', class: 'fl-btn', testid: `rollout-${id}-halt`, disabled: !active,
          onclick: () => act(r, 'halt'), text: t('ro.halt') }),
        el('button', { type: 'button', class: 'fl-btn fl-btn-danger', testid: `rollout-${id}-rollback`,
          disabled: r.state === 'rolled_back', onclick: () => act(r, 'rollback'), text: t('ro.rollback') })));
    ui.rollouts.append(card);
  }
}

// ---- data ---------------------------------------------------------------

async function refresh() {
  clearTimeout(timer);
  try {
    const [f, r] = await Promise.all([
      api('GET', hallPath(hall.id, '/firmware/devices')),
      api('GET', hallPath(hall.id, '/firmware/rollouts')),
    ]);
    fleet = f;
    rollouts = r.rollouts;
    renderDevices();
    renderRollouts();
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e.status === 401) {
      setView('login');
      return;
    }
    showError(e);
  }
  timer = setTimeout(refresh, POLL_MS);
}

function enter(session) {
  if (!session || !session.user || session.user.role !== 'admin') {
    ui.loginErr.textContent = t('fl.login.role');
    ui.loginErr.hidden = false;
    setView('login');
    return;
  }
  me = session;
  setText(ui.user, `${session.user.name || ''} ${session.user.id}`.trim());
  setView('main');
  refresh();
}

ui.login.addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(ui.login);
  ui.loginErr.hidden = true;
  try {
    enter(await api('POST', '/api/v1/login', { body: { username: form.get('username'), password: form.get('password') } }));
  } catch (err) {
    ui.loginErr.textContent = err.status === 401 ? t('fl.login.bad') : errorText(err);
    ui.loginErr.hidden = false;
  }
});

for (const f of [ui.kind, ui.status]) {
  f.addEventListener('change', renderDevices);
}
ui.q.addEventListener('input', renderDevices);
onLangChange(() => {
  renderDevices();
  renderRollouts();
});

(async () => {
  initToggle();
  hall = await getHall();
  setText(ui.hall, hall.name ? `${hall.name.zh} · ${hall.name.en}` : hall.id);
  try {
    enter(await api('GET', '/api/v1/me'));
  } catch (_) {
    setView('login');
  }
})();
