// Small helpers around the hallq HTTP API (envelope {"ok":true,"result":…} or
// {"ok":false,"error":{"code","message"}}).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

// A random UUID v4; crypto.randomUUID needs a secure context, which a hall LAN
// served over plain http is not, so build it from getRandomValues.
export function uuid() {
  const b = new Uint8Array(16);
  if (window.crypto && crypto.getRandomValues) {
    crypto.getRandomValues(b);
  } else {
    for (let i = 0; i < 16; i++) {
      b[i] = Math.floor(Math.random() * 256);
    }
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// api('POST', '/api/v1/login', {body, csrf, idempotent:true, bearer})
// resolves to the envelope's result, or throws ApiError.
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.csrf) {
    headers['X-CSRF-Token'] = opts.csrf;
  }
  if (opts.idempotencyKey) {
    headers['Idempotency-Key'] = opts.idempotencyKey;
  } else if (opts.idempotent) {
    headers['Idempotency-Key'] = uuid();
  }
  if (opts.bearer) {
    headers.Authorization = 'Bearer ' + opts.bearer;
  }
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'network', String(e && e.message || e));
  }
  let data = null;
  try {
    data = await res.json();
  } catch (_) { /* not JSON */ }
  if (data && data.ok === true) {
    return data.result;
  }
  if (data && data.ok === false && data.error) {
    throw new ApiError(res.status, data.error.code || 'unavailable', data.error.message || '');
  }
  if (res.status === 429) {
    throw new ApiError(429, 'rate_limited', '');
  }
  if (res.status === 401) {
    throw new ApiError(401, 'unauthorized', '');
  }
  if (!res.ok) {
    throw new ApiError(res.status, 'unavailable', `HTTP ${res.status}`);
  }
  // A 2xx without envelope (e.g. the snapshot endpoint): hand it back as is.
  return data;
}

let hallPromise = null;

// The hall this page belongs to: ?hall=ID in the URL wins, else GET /api/v1/hall.
// Retries until the server answers (screens start before the network does).
export function getHall() {
  if (hallPromise) {
    return hallPromise;
  }
  hallPromise = (async () => {
    const q = new URLSearchParams(location.search).get('hall');
    let delay = 500;
    for (;;) {
      try {
        const h = await api('GET', '/api/v1/hall');
        if (q && h && h.id !== q) {
          return { id: q, name: null };
        }
        return h;
      } catch (e) {
        if (q) {
          return { id: q, name: null };
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 10000);
      }
    }
  })();
  return hallPromise;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// pathParam is the page's id: ?{key}= if given, else the last path segment
// (/screen/counter/12, /t/20261123-A024).
export function pathParam(key) {
  const q = new URLSearchParams(location.search);
  return decodeURIComponent(q.get(key) || location.pathname.replace(/\/+$/, '').split('/').pop() || '');
}

export function hallPath(hall, rest) {
  return `/api/v1/halls/${encodeURIComponent(hall)}${rest}`;
}

// ---- time in the hall's timezone --------------------------------------------

const fmtCache = new Map();

function formatter(tz, opts) {
  const k = tz + JSON.stringify(opts);
  let f = fmtCache.get(k);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts });
    } catch (_) {
      f = null; // no tz data on this box: handled below
    }
    fmtCache.set(k, f);
  }
  return f;
}

// Parts of a date in timezone tz: {y, mo, d, h, mi, s, wd (0=Sunday)}.
export function zonedParts(date, tz = 'Asia/Shanghai') {
  const f = formatter(tz, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', weekday: 'short', hourCycle: 'h23',
  });
  if (f && f.formatToParts) {
    const p = {};
    for (const x of f.formatToParts(date)) {
      p[x.type] = x.value;
    }
    const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday);
    return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second, wd };
  }
  // Fallback: China has no DST, UTC+8 all year.
  const u = new Date(date.getTime() + 8 * 3600 * 1000);
  return {
    y: u.getUTCFullYear(), mo: u.getUTCMonth() + 1, d: u.getUTCDate(),
    h: u.getUTCHours(), mi: u.getUTCMinutes(), s: u.getUTCSeconds(), wd: u.getUTCDay(),
  };
}

const pad2 = (n) => String(n).padStart(2, '0');

export function fmtClock(date, tz, withSeconds = true) {
  const p = zonedParts(date, tz);
  return withSeconds ? `${pad2(p.h)}:${pad2(p.mi)}:${pad2(p.s)}` : `${pad2(p.h)}:${pad2(p.mi)}`;
}

const WD_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const WD_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MO_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function fmtDate(date, tz, lang) {
  const p = zonedParts(date, tz);
  if (lang === 'en') {
    return `${WD_EN[p.wd]}, ${p.d} ${MO_EN[p.mo - 1]} ${p.y}`;
  }
  return `${p.y}年${p.mo}月${p.d}日 ${WD_ZH[p.wd]}`;
}

// "HH:MM" of an RFC 3339 time string in the hall's timezone ('' if unparsable).
export function fmtTimeOf(iso, tz, withSeconds = false) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  if (isNaN(d.getTime())) {
    return '';
  }
  return fmtClock(d, tz, withSeconds);
}

// Remove all children then append.
export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) {
        continue;
      }
      if (k === 'class') {
        e.className = v;
      } else if (k === 'text') {
        e.textContent = v;
      } else if (k === 'testid') {
        e.dataset.testid = v;
      } else if (k.startsWith('on') && typeof v === 'function') {
        e.addEventListener(k.slice(2), v);
      } else if (k === 'dataset') {
        Object.assign(e.dataset, v);
      } else {
        e.setAttribute(k, v === true ? '' : v);
      }
    }
  }
  for (const k of kids) {
    if (k == null || k === false) {
      continue;
    }
    e.append(k.nodeType ? k : document.createTextNode(String(k)));
  }
  return e;
}

// Set textContent only when it changes (avoids layout work on cheap TV boxes).
export function setText(node, s) {
  if (node && node.textContent !== s) {
    node.textContent = s;
  }
}

// Ids in data-testid values and selectors: keep [A-Za-z0-9_-] as is.
export function tid(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

// Shrinks a one-line element's font until its text fits (down to 45%).
export function fitText(node, minRatio = 0.45) {
  if (!node) {
    return;
  }
  node.style.fontSize = '';
  let size = parseFloat(getComputedStyle(node).fontSize);
  const min = size * minRatio;
  let guard = 30;
  while (node.scrollWidth > node.clientWidth + 1 && size > min && guard--) {
    size *= 0.92;
    node.style.fontSize = `${size}px`;
  }
}
