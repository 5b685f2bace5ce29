// Language handling shared by all pages: Chinese first, English switchable.
// Order of precedence: ?lang=en|zh in the URL, then localStorage "hallq.lang",
// then Chinese. The 中/EN toggle stores the choice in localStorage.

const KEY = 'hallq.lang';
const listeners = new Set();
let dict = {};
let current = detect();

function detect() {
  try {
    const q = new URLSearchParams(location.search).get('lang');
    if (q === 'en' || q === 'zh') {
      return q;
    }
  } catch (_) { /* ignore */ }
  try {
    const s = localStorage.getItem(KEY);
    if (s === 'en' || s === 'zh') {
      return s;
    }
  } catch (_) { /* private mode */ }
  return 'zh';
}

// Common strings; pages add their own with addStrings().
const common = {
  'lang.toggle': { zh: 'EN', en: '中' },
  'lang.toggle.title': { zh: 'Switch to English', en: '切换到中文' },
  'conn.connecting': { zh: '连接中…', en: 'Connecting…' },
  'conn.offline': { zh: '连接中断，正在重连', en: 'Connection lost, reconnecting' },
  'conn.ok': { zh: '已连接', en: 'Connected' },
  'status.closed': { zh: '休息中', en: 'Closed' },
  'status.open': { zh: '空闲', en: 'Open' },
  'status.paused': { zh: '暂停服务', en: 'Paused' },
  'status.called': { zh: '叫号中', en: 'Calling' },
  'status.serving': { zh: '办理中', en: 'Serving' },
  'tstatus.waiting': { zh: '等候中', en: 'Waiting' },
  'tstatus.called': { zh: '已叫号', en: 'Called' },
  'tstatus.serving': { zh: '办理中', en: 'Being served' },
  'tstatus.done': { zh: '已办结', en: 'Done' },
  'tstatus.no_show': { zh: '已过号', en: 'Missed (no-show)' },
  'tstatus.held': { zh: '已挂起', en: 'On hold' },
  'tstatus.cancelled': { zh: '已取消', en: 'Cancelled' },
  'tstatus.expired': { zh: '已过期', en: 'Expired' },
  'unit.people': { zh: '人', en: '' },
  'minutes': { zh: '{n} 分钟', en: '{n} min' },
  'minutes.lt1': { zh: '1 分钟内', en: '< 1 min' },
  'hours': { zh: '{h} 小时 {m} 分', en: '{h} h {m} min' },
  'window': { zh: '{n}号窗口', en: 'Window {n}' },
  'err.bad_request': { zh: '请求有误', en: 'Bad request' },
  'err.forbidden': { zh: '无权操作', en: 'Not allowed' },
  'err.unauthorized': { zh: '请先登录', en: 'Please sign in' },
  'err.unknown_service': { zh: '没有该业务', en: 'Unknown service' },
  'err.unknown_ticket': { zh: '没有该号码', en: 'Unknown ticket' },
  'err.service_closed': { zh: '该业务当前不办理', en: 'This service is closed now' },
  'err.quota_exhausted': { zh: '今日号源已取完', en: "Today's tickets for this service are all taken" },
  'err.duplicate_ticket': { zh: '您已有该业务的有效号码', en: 'You already hold a ticket for this service' },
  'err.unknown_appointment': { zh: '预约码无效（非今日、业务不符或已使用）', en: 'Appointment code not valid (not today, other service, or used)' },
  'err.queue_empty': { zh: '当前无人等候', en: 'Nobody is waiting' },
  'err.counter_closed': { zh: '窗口未开启', en: 'The counter is closed' },
  'err.invalid_state': { zh: '当前状态不能执行此操作', en: 'Not possible in the current state' },
  'err.nothing_to_rate': { zh: '没有可评价的办件', en: 'Nothing to rate' },
  'err.already_rated': { zh: '已评价', en: 'Already rated' },
  'err.unavailable': { zh: '系统暂不可用，请稍后再试', en: 'System unavailable, please try again' },
  'err.rate_limited': { zh: '尝试次数过多，请稍后再试', en: 'Too many attempts, try again later' },
  'err.network': { zh: '网络连接失败', en: 'Network error' },
};

export function addStrings(more) {
  Object.assign(dict, more);
}
addStrings(common);

export function lang() {
  return current;
}

// t('key', {n: 3}) -> localised string with {n} replaced.
export function t(key, vars) {
  const e = dict[key];
  let s = e ? (e[current] ?? e.zh) : key;
  if (vars) {
    for (const k of Object.keys(vars)) {
      s = s.split('{' + k + '}').join(String(vars[k]));
    }
  }
  return s;
}

// Both languages, for bilingual labels on screens ("等候 / Waiting").
export function both(key, vars) {
  const e = dict[key];
  if (!e) {
    return { zh: key, en: key };
  }
  const sub = (s) => {
    if (vars) {
      for (const k of Object.keys(vars)) {
        s = s.split('{' + k + '}').join(String(vars[k]));
      }
    }
    return s;
  };
  return { zh: sub(e.zh), en: sub(e.en ?? e.zh) };
}

// pick({zh, en}) -> the current language's text (falls back to the other).
export function pick(name) {
  if (name == null) {
    return '';
  }
  if (typeof name === 'string') {
    return name;
  }
  return name[current] || name.zh || name.en || '';
}

// The other language (for the small secondary line under a heading).
export function pickOther(name) {
  if (name == null || typeof name === 'string') {
    return '';
  }
  const other = current === 'zh' ? 'en' : 'zh';
  return name[other] || '';
}

export function setLang(l) {
  if (l !== 'zh' && l !== 'en') {
    return;
  }
  current = l;
  try {
    localStorage.setItem(KEY, l);
  } catch (_) { /* ignore */ }
  // A ?lang= in the URL would win on reload: keep it in step.
  try {
    const u = new URL(location.href);
    if (u.searchParams.has('lang')) {
      u.searchParams.set('lang', l);
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
    }
  } catch (_) { /* ignore */ }
  applyStatic();
  for (const fn of listeners) {
    fn(l);
  }
}

export function onLangChange(fn) {
  listeners.add(fn);
}

// Fills every element carrying data-i18n="key" (textContent),
// data-i18n-placeholder, data-i18n-title and data-i18n-aria.
export function applyStatic(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.documentElement.dataset.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle);
  }
}

// Wires the 中/EN toggle buttons (data-testid="lang-toggle").
export function initToggle() {
  for (const b of document.querySelectorAll('[data-testid="lang-toggle"]')) {
    b.addEventListener('click', (e) => {
      e.preventDefault();
      setLang(current === 'zh' ? 'en' : 'zh');
    });
  }
  applyStatic();
}

// Minutes of estimated wait, rounded up; "" for unknown.
export function fmtWait(sec) {
  if (sec == null || !isFinite(sec) || sec < 0) {
    return '';
  }
  if (sec < 60) {
    return t('minutes.lt1');
  }
  const m = Math.ceil(sec / 60);
  if (m >= 60) {
    return t('hours', { h: Math.floor(m / 60), m: m % 60 });
  }
  return t('minutes', { n: m });
}

export function errorText(err) {
  if (!err) {
    return '';
  }
  const code = err.code || 'network';
  const local = dict['err.' + code] ? t('err.' + code) : '';
  const msg = err.message || '';
  // The server's message is in the hall's language (Chinese); in English mode
  // lead with our translation of the stable code and keep the message after it.
  if (current === 'en') {
    return local && msg && msg !== local ? local + ' — ' + msg : (local || msg || code);
  }
  return msg || local || code;
}
