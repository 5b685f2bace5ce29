// voice-text.js: what an announcement says, as text and as a list of the
// pre-recorded segments in static/voice/ (see display/web/voice/generate.sh).
// Pure functions, no DOM: usable from tests.
//
//   请A023号到12号窗口办理  ->  zh/qing zh/a zh/d0 zh/d2 zh/d3 zh/hao zh/dao zh/shi zh/d2 zh/hao_window
//   Number A023, please go to window 12 -> en/number en/a en/n0 en/n2 en/n3 en/window en/n12
//
// The ticket is read letter by letter and digit by digit (A 零 二 三); the
// window is read as a number (十二号窗口, 一百零五, 一百一十八) when its id is
// all digits (up to 9999), otherwise letters one by one and digit runs as numbers.

const ZH_DIGITS = '零一二三四五六七八九';

// Chinese reading of 0 <= n <= 9999 as characters: 12 -> 十二, 105 -> 一百零五.
export function zhNumberText(n) {
  return zhNumberKeys(n).map((k) => ({ shi: '十', bai: '百', qian: '千' }[k.slice(3)] || ZH_DIGITS[+k.slice(4)])).join('');
}

// Segment keys for 0 <= n <= 9999 in Mandarin.
export function zhNumberKeys(n) {
  n = Math.floor(Number(n));
  if (!(n >= 0) || n > 9999) {
    return String(n).split('').filter((c) => c >= '0' && c <= '9').map((c) => 'zh/d' + c);
  }
  if (n < 10) {
    return ['zh/d' + n];
  }
  const d = (x) => 'zh/d' + x;
  const under100 = (m, leadingOne) => {
    // m in 10..99; leadingOne: say 一十 (inside a bigger number: 一百一十八)
    const t = Math.floor(m / 10);
    const u = m % 10;
    const out = [];
    if (t > 1 || leadingOne) {
      out.push(d(t));
    }
    out.push('zh/shi');
    if (u) {
      out.push(d(u));
    }
    return out;
  };
  const under1000 = (m, inside) => {
    // m in 0..999
    if (m >= 100) {
      const h = Math.floor(m / 100);
      const r = m % 100;
      const out = [d(h), 'zh/bai'];
      if (r === 0) {
        return out;
      }
      if (r < 10) {
        return out.concat('zh/d0', d(r));
      }
      return out.concat(under100(r, true));
    }
    if (m >= 10) {
      return under100(m, inside);
    }
    return [d(m)];
  };
  if (n >= 1000) {
    const th = Math.floor(n / 1000);
    const r = n % 1000;
    const out = [d(th), 'zh/qian'];
    if (r === 0) {
      return out;
    }
    if (r < 100) {
      return out.concat('zh/d0', under1000(r, true));
    }
    return out.concat(under1000(r, true));
  }
  return under1000(n, false);
}

// English reading of 0 <= n <= 9999: 105 -> one hundred five.
export function enNumberKeys(n) {
  n = Math.floor(Number(n));
  if (!(n >= 0) || n > 9999) {
    return String(n).split('').filter((c) => c >= '0' && c <= '9').map((c) => 'en/n' + c);
  }
  const out = [];
  if (n >= 1000) {
    out.push('en/n' + Math.floor(n / 1000), 'en/thousand');
    n %= 1000;
    if (n === 0) {
      return out;
    }
  }
  if (n >= 100) {
    out.push('en/n' + Math.floor(n / 100), 'en/hundred');
    n %= 100;
    if (n === 0) {
      return out;
    }
  }
  if (n < 20) {
    out.push('en/n' + n);
  } else {
    out.push('en/n' + Math.floor(n / 10) * 10);
    if (n % 10) {
      out.push('en/n' + (n % 10));
    }
  }
  return out;
}

// A ticket number read character by character: letters then digits.
function charKeys(lang, s) {
  const out = [];
  for (const ch of String(s).toUpperCase()) {
    if (ch >= 'A' && ch <= 'Z') {
      out.push(`${lang}/${ch.toLowerCase()}`);
    } else if (ch >= '0' && ch <= '9') {
      out.push(lang === 'zh' ? 'zh/d' + ch : 'en/n' + ch);
    }
  }
  return out;
}

// A window id read as a number when it is digits, else letters one by one and
// digit runs as numbers ("B12" -> B 十二).
function windowKeys(lang, id) {
  const num = lang === 'zh' ? zhNumberKeys : enNumberKeys;
  const s = String(id).toUpperCase();
  const out = [];
  const re = /([0-9]+)|([A-Z])/g;
  let m;
  while ((m = re.exec(s))) {
    if (m[1]) {
      const v = parseInt(m[1], 10);
      out.push(...(m[1].length <= 4 ? num(v) : charKeys(lang, m[1])));
    } else {
      out.push(`${lang}/${m[2].toLowerCase()}`);
    }
  }
  return out;
}

export function announcementText(ticket, counter) {
  return {
    zh: `请${ticket}号到${counter}号窗口办理`,
    en: `Number ${ticket}, please go to window ${counter}`,
  };
}

// Segment keys of one announcement in one language. Pauses are marked "|".
export function announcementKeys(lang, ticket, counter) {
  if (lang === 'en') {
    return ['en/number', ...charKeys('en', ticket), '|', 'en/window', ...windowKeys('en', counter)];
  }
  return ['zh/qing', ...charKeys('zh', ticket), 'zh/hao', '|', 'zh/dao', ...windowKeys('zh', counter), 'zh/hao_window'];
}

// The short form said while a screen's queue of calls is long: no 请/到,
// no chime, once ("A023，十二号窗口办理"; "A023, window 12").
export function shortText(ticket, counter) {
  return {
    zh: `${ticket}，${counter}号窗口办理`,
    en: `${ticket}, window ${counter}`,
  };
}

// Segment keys of the short form.
export function shortKeys(lang, ticket, counter) {
  if (lang === 'en') {
    return [...charKeys('en', ticket), '|', 'en/window', ...windowKeys('en', counter)];
  }
  return [...charKeys('zh', ticket), '|', ...windowKeys('zh', counter), 'zh/hao_window'];
}
