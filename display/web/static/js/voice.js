// voice.js: the offline announcement player of the hall screen.
//
// Each call is queued; announcements never overlap. One announcement = a short
// chime, then the pre-recorded segments of static/voice/ joined in order with
// Web Audio (请 A 零 二 三 号 到 十二 号窗口办理). ticket.recalled is said twice.
// Only if a needed segment is missing (not in the manifest or not decodable)
// AND the browser has a matching voice does it use speechSynthesis for that
// sentence instead; otherwise it plays the segments it has.
//
// Browsers play sound only after one user gesture: until then (hallqVoice.unlocked
// false) announcements are still taken through the queue and recorded in
// hallqVoice.spoken, silently. A box started with
// --autoplay-policy=no-user-gesture-required is unlocked at once.
//
// window.hallqVoice = {
//   queue:   [{ticket, counter, recall, texts}]  pending, the one playing first
//   spoken:  ["请A023号到12号窗口办理", …]        texts already played (one per utterance)
//   missing: segment keys that could not be loaded (should stay empty)
//   unlocked, langs, announce(ticket, counter, recall), unlock()
// }
// URL options of the page: ?voice=zh (default) | en | both | off, ?repeat=N
// (times a normal call is said; default the config's voice.repeat, 2;
// recalls are said N+1 times).
//
// Every call is spoken (none is dropped): when more than voice.short_after
// calls are pending, each is said once in the short form (A023，十二号窗口办理;
// "A023, window 12"), without the chime, until the queue is short again. A
// call whose speaking begins more than voice.late_s after it was made is
// late: hallqVoice.late counts it, onLate listeners mark it on the screen,
// and the page reports it (hallq_voice_late_calls_total). Segments join with
// short fades (FADE_S) so that no join clicks.
//
// hallqVoice.calls = [{ticket, counter, form: 'full'|'short', times, late}]
// records what was said, for tests and diagnostics.

import { announcementKeys, announcementText, shortKeys, shortText } from './voice-text.js';

const BASE = '/static/voice/';
export const FADE_S = 0.006;      // fade in and out of each segment: no click at a join

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

class VoicePlayer {
  constructor() {
    const q = new URLSearchParams(location.search);
    const v = (q.get('voice') || 'zh').toLowerCase();
    this.off = v === 'off' || v === '0' || v === 'none';
    this.langs = v === 'both' || v === 'zh,en' || v === 'zh+en' ? ['zh', 'en'] : (v === 'en' ? ['en'] : ['zh']);
    const rep = parseInt(q.get('repeat') || '', 10);
    this._repeatFromURL = rep >= 1 && rep <= 5;
    this.repeat = this._repeatFromURL ? rep : 2;
    this.shortAfter = 2;
    this.lateS = 30;
    this.late = 0;
    this.calls = [];
    this._lateFns = new Set();
    this.queue = [];
    this.spoken = [];
    this.missing = [];        // segment keys that could not be loaded (diagnostics)
    this.unlocked = false;
    this._busy = false;
    this._ctx = null;
    this._gain = null;
    this._manifest = null;
    this._manifestP = null;
    this._buffers = new Map();
    this._listeners = new Set();
    this._ext = 'ogg';
    try {
      const a = document.createElement('audio');
      if (!a.canPlayType || !a.canPlayType('audio/ogg; codecs="vorbis"')) {
        this._ext = 'wav';
      }
    } catch (_) {
      this._ext = 'wav';
    }
    this._initContext();
  }

  _initContext() {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC || this.off) {
      return;
    }
    try {
      this._ctx = new AC();
      this._gain = this._ctx.createGain();
      this._gain.gain.value = 1;
      this._gain.connect(this._ctx.destination);
      if (this._ctx.state === 'running') {
        this._setUnlocked();
      }
      this._ctx.onstatechange = () => {
        if (this._ctx.state === 'running') {
          this._setUnlocked();
        }
      };
    } catch (_) {
      this._ctx = null;
    }
  }

  _setUnlocked() {
    if (this.unlocked) {
      return;
    }
    this.unlocked = true;
    this._loadManifest().then(() => this._preload());
    for (const fn of this._listeners) {
      fn(true);
    }
  }

  // Applies the hall's voice settings (config voice:, from GET /api/v1/hall);
  // ?repeat= in the URL still wins.
  configure(v) {
    if (!v) {
      return;
    }
    if (!this._repeatFromURL && v.repeat >= 1 && v.repeat <= 5) {
      this.repeat = v.repeat;
    }
    if (v.short_after >= 1) {
      this.shortAfter = v.short_after;
    }
    if (v.late_s >= 1) {
      this.lateS = v.late_s;
    }
  }

  // fn(item) hears of each call that began late.
  onLate(fn) {
    this._lateFns.add(fn);
  }

  onUnlock(fn) {
    this._listeners.add(fn);
    if (this.unlocked) {
      fn(true);
    }
  }

  // Call from a user gesture (click / key press).
  unlock() {
    if (this.off) {
      return Promise.resolve(false);
    }
    if (!this._ctx) {
      this._initContext();
    }
    const ctx = this._ctx;
    if (!ctx) {
      // No Web Audio at all: speechSynthesis can still speak.
      this._setUnlocked();
      return Promise.resolve(true);
    }
    // Playing a silent buffer inside the gesture unlocks old WebKit too.
    try {
      const b = ctx.createBuffer(1, 1, 22050);
      const s = ctx.createBufferSource();
      s.buffer = b;
      s.connect(ctx.destination);
      s.start(0);
    } catch (_) { /* ignore */ }
    return Promise.resolve(ctx.resume ? ctx.resume() : undefined).then(() => {
      this._setUnlocked();
      return true;
    }, () => false);
  }

  _loadManifest() {
    if (!this._manifestP) {
      this._manifestP = fetch(BASE + 'manifest.json', { cache: 'force-cache' })
        .then((r) => (r.ok ? r.json() : null))
        .then((m) => {
          this._manifest = m && m.segments ? m.segments : {};
          return this._manifest;
        })
        .catch(() => {
          this._manifestP = null;      // try again next time
          this._manifest = null;
          return {};
        });
    }
    return this._manifestP;
  }

  // Decode every segment of the configured languages in the background.
  _preload() {
    if (!this._manifest) {
      return;
    }
    const keys = Object.keys(this._manifest).filter((k) => k === 'chime' || this.langs.some((l) => k.startsWith(l + '/')));
    let i = 0;
    const next = () => {
      if (i >= keys.length) {
        return;
      }
      this._buffer(keys[i++]).finally(next);
    };
    for (let n = 0; n < 4; n++) {
      next();
    }
  }

  _buffer(key) {
    let p = this._buffers.get(key);
    if (p) {
      return p;
    }
    const seg = this._manifest && this._manifest[key];
    if (!seg || !this._ctx) {
      return Promise.resolve(null);
    }
    const file = seg[this._ext] || seg.ogg || seg.wav;
    p = fetch(BASE + file, { cache: 'force-cache' })
      .then((r) => {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.arrayBuffer();
      })
      .then((ab) => new Promise((resolve, reject) => {
        // callback form for old WebKit, promise form elsewhere
        const pr = this._ctx.decodeAudioData(ab, resolve, reject);
        if (pr && pr.then) {
          pr.then(resolve, reject);
        }
      }))
      .catch(() => {
        // A wav fallback when vorbis decoding fails on this box.
        if (this._ext === 'ogg' && seg.wav) {
          return fetch(BASE + seg.wav).then((r) => r.arrayBuffer()).then((ab) => new Promise((res, rej) => {
            const pr = this._ctx.decodeAudioData(ab, res, rej);
            if (pr && pr.then) {
              pr.then(res, rej);
            }
          })).catch(() => null);
        }
        return null;
      });
    this._buffers.set(key, p);
    return p;
  }

  // Queue a call. recall: said one more time.
  announce(ticket, counter, recall = false) {
    if (!ticket || counter == null) {
      return;
    }
    const texts = {};
    const full = announcementText(ticket, counter);
    for (const l of this.langs) {
      texts[l] = full[l];
    }
    // The same call still pending: do not say it twice in a row.
    const dup = this.queue.find((x, i) => i > 0 && x.ticket === ticket && x.counter === String(counter));
    if (dup) {
      dup.recall = dup.recall || recall;
      return;
    }
    // Never dropped: a growing queue is said shorter instead (_play).
    this.queue.push({ ticket, counter: String(counter), recall: !!recall, texts, at: Date.now() });
    this._pump();
  }

  async _pump() {
    if (this._busy) {
      return;
    }
    this._busy = true;
    try {
      while (this.queue.length) {
        const item = this.queue[0];
        try {
          await this._play(item);
        } catch (e) {
          console.warn('voice:', e);
        }
        this.queue.shift();
      }
    } finally {
      this._busy = false;
    }
  }

  async _play(item) {
    // queue[0] is this call: more than shortAfter pending means a backlog.
    const short = this.queue.length > this.shortAfter;
    const times = short ? 1 : this.repeat + (item.recall ? 1 : 0);
    item.late = Date.now() - item.at > this.lateS * 1000;
    this.calls.push({ ticket: item.ticket, counter: item.counter, form: short ? 'short' : 'full', times, late: item.late });
    if (item.late) {
      this.late++;
      for (const fn of this._lateFns) {
        try {
          fn(item);
        } catch (e) {
          console.error('voice onLate:', e);
        }
      }
    }
    const silent = this.off || !this.unlocked;
    if (!silent) {
      await this._loadManifest();
    }
    for (let r = 0; r < times; r++) {
      for (const l of this.langs) {
        const text = short ? shortText(item.ticket, item.counter)[l] : item.texts[l];
        if (silent) {
          await sleep(150);
        } else {
          await this._speak(l, item, text, !short && r === 0 && l === this.langs[0], short);
        }
        this.spoken.push(text);
      }
    }
    if (!silent) {
      await sleep(short ? 150 : 400);          // breathing space before the next call
    }
  }

  async _speak(lang, item, text, chime, short = false) {
    const keys = short ? shortKeys(lang, item.ticket, item.counter) : announcementKeys(lang, item.ticket, item.counter);
    const wanted = keys.filter((k) => k !== '|');
    const bufs = new Map();
    await Promise.all(wanted.concat(chime ? ['chime'] : []).map(async (k) => bufs.set(k, await this._buffer(k))));
    const lost = wanted.filter((k) => !bufs.get(k));
    for (const k of lost) {
      if (!this.missing.includes(k)) {
        this.missing.push(k);
      }
    }
    const missing = lost.length > 0;
    if (missing || !this._ctx) {
      const v = this._synthVoice(lang);
      if (v) {
        if (chime && bufs.get('chime') && this._ctx) {
          await this._schedule([bufs.get('chime')]);
        }
        await this._synth(text, v, lang);
        return;
      }
      if (!this._ctx) {
        return;
      }
    }
    const seq = [];
    if (chime && bufs.get('chime')) {
      seq.push(bufs.get('chime'), 0.25);
    }
    for (const k of keys) {
      if (k === '|') {
        seq.push(0.12);
      } else if (bufs.get(k)) {
        seq.push(bufs.get(k));
      }
    }
    await this._schedule(seq);
    await sleep(short ? 120 : 350);
  }

  // Plays buffers back to back (numbers in the list are pauses, in seconds).
  async _schedule(seq) {
    const ctx = this._ctx;
    if (ctx.state !== 'running' && ctx.resume) {
      try {
        await ctx.resume();
      } catch (_) { /* ignore */ }
    }
    const t = scheduleSegments(ctx, this._gain, seq, ctx.currentTime + 0.05);
    const ms = (t - ctx.currentTime) * 1000 + 30;
    await sleep(Math.max(0, Math.min(ms, 20000)));
  }

  _synthVoice(lang) {
    const ss = window.speechSynthesis;
    if (!ss || !ss.getVoices) {
      return null;
    }
    const want = lang === 'zh' ? /^(zh|cmn)/i : /^en/i;
    return ss.getVoices().find((v) => want.test(v.lang)) || null;
  }

  _synth(text, voice, lang) {
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.voice = voice;
      u.lang = voice.lang || (lang === 'zh' ? 'zh-CN' : 'en-US');
      u.rate = 0.9;
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 15000);
      u.onend = done;
      u.onerror = done;
      window.speechSynthesis.speak(u);
    });
  }
}

// scheduleSegments plays buffers back to back into dest from time t (numbers
// in seq are pauses, in seconds), each through its own gain that fades in
// and out over FADE_S, so a join never jumps (no click); it returns the end
// time. Used live and by the tests with an OfflineAudioContext.
export function scheduleSegments(ctx, dest, seq, t) {
  for (const x of seq) {
    if (typeof x === 'number') {
      t += x;
      continue;
    }
    const s = ctx.createBufferSource();
    s.buffer = x;
    const g = ctx.createGain();
    const d = x.duration;
    const f = Math.min(FADE_S, d / 4);
    g.gain.setValueAtTime(0, t);
    g.gain.linearRampToValueAtTime(1, t + f);
    g.gain.setValueAtTime(1, t + d - f);
    g.gain.linearRampToValueAtTime(0, t + d);
    s.connect(g);
    g.connect(dest);
    s.start(t);
    s.stop(t + d);
    t += d;
  }
  return t;
}

let player = null;

// The page's single player (also window.hallqVoice).
export function getVoice() {
  if (!player) {
    player = new VoicePlayer();
    window.hallqVoice = player;
  }
  return player;
}
