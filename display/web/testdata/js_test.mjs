// Run by web_test.go with node (skipped when node is missing): checks the pure
// parts of the browser modules: what announcements say, the hall-state reducer
// and the websocket client's seq handling.
import assert from 'node:assert/strict';

// Minimal browser globals for hallstream.js / api.js.
globalThis.window = globalThis;
globalThis.location = { protocol: 'http:', host: 'hall.local:8080', search: '', pathname: '/', href: 'http://hall.local:8080/' };
window.addEventListener = () => {};

const sockets = [];
class FakeWS {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    sockets.push(this);
  }
  close() {
    this.readyState = 3;
  }
  recv(obj) {
    this.onmessage({ data: JSON.stringify(obj) });
  }
}
globalThis.WebSocket = FakeWS;
// run timers at once so reconnects are immediate
globalThis.setTimeout = (fn) => {
  queueMicrotask(fn);
  return 0;
};
globalThis.setInterval = () => 0;

const vt = await import('../static/js/voice-text.js');
const hsmod = await import('../static/js/hallstream.js');

let failures = 0;
let passes = 0;
async function test(name, fn) {
  try {
    await fn();
    passes++;
  } catch (e) {
    failures++;
    console.error(`FAIL ${name}: ${e.message}`);
  }
}

await test('zh numbers', () => {
  const want = { 1: '一', 9: '九', 10: '十', 12: '十二', 20: '二十', 21: '二十一', 100: '一百', 105: '一百零五', 110: '一百一十', 118: '一百一十八', 200: '二百', 1005: '一千零五', 1010: '一千零一十' };
  for (const [n, s] of Object.entries(want)) {
    assert.equal(vt.zhNumberText(Number(n)), s, `n=${n}`);
  }
});

await test('zh announcement', () => {
  assert.deepEqual(vt.announcementKeys('zh', 'A023', '12'),
    ['zh/qing', 'zh/a', 'zh/d0', 'zh/d2', 'zh/d3', 'zh/hao', '|', 'zh/dao', 'zh/shi', 'zh/d2', 'zh/hao_window']);
  assert.equal(vt.announcementText('A023', '12').zh, '请A023号到12号窗口办理');
  assert.deepEqual(vt.announcementKeys('zh', 'B001', '105').slice(-5), ['zh/d1', 'zh/bai', 'zh/d0', 'zh/d5', 'zh/hao_window']);
});

await test('en announcement', () => {
  assert.deepEqual(vt.announcementKeys('en', 'A023', '118'),
    ['en/number', 'en/a', 'en/n0', 'en/n2', 'en/n3', '|', 'en/window', 'en/n1', 'en/hundred', 'en/n18']);
  assert.deepEqual(vt.enNumberKeys(42), ['en/n40', 'en/n2']);
  assert.equal(vt.announcementText('A023', '12').en, 'Number A023, please go to window 12');
});

function snapshot(seq) {
  return {
    type: 'snapshot', seq, state: {
      services: [{ id: 'social', name: { zh: '社保', en: 'Social' }, prefix: 'A', waiting: 2, est_wait_s: 600 }],
      counters: [{ id: '12', name: { zh: '12号窗口', en: 'Window 12' }, status: 'open', ticket: null, service: null, staff_id: 's1', staff_name: '张三' }],
      recent_calls: [], devices: [{ id: 'kiosk-01', kind: 'kiosk', online: true }], hall: { id: 'h', name: { zh: 'H', en: 'H' } }, day: '2026-11-23',
    },
  };
}

const tick = () => new Promise((r) => queueMicrotask(r)).then(() => new Promise((r) => queueMicrotask(r)));

await test('reducer and seq handling', async () => {
  const hs = new hsmod.HallStream('nt-main');
  const calls = [];
  hs.on('call', (c) => calls.push(c));
  hs.start();
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://hall.local:8080/ws/v1/halls/nt-main');
  sockets[0].recv(snapshot(10));
  assert.equal(hs.seq, 10);
  sockets[0].recv({ type: 'event', seq: 11, event: { kind: 'ticket.called', at: 'x', ticket_id: 't1', ticket: 'A001', service: 'social', counter: '12', counter_status: 'called', waiting: 1 } });
  const c = hs.state.counterById.get('12');
  assert.equal(c.status, 'called');
  assert.equal(c.ticket, 'A001');
  assert.equal(hs.state.serviceById.get('social').waiting, 1);
  assert.equal(hs.state.serviceById.get('social').est_wait_s, 300);
  assert.equal(hs.state.recent_calls[0].ticket, 'A001');
  assert.equal(calls.length, 1);
  // a repeated seq is ignored
  sockets[0].recv({ type: 'event', seq: 11, event: { kind: 'ticket.called', at: 'x', ticket: 'A001', counter: '12', counter_status: 'called' } });
  assert.equal(calls.length, 1);
  sockets[0].recv({ type: 'event', seq: 12, event: { kind: 'ticket.finished', at: 'x', ticket: 'A001', service: 'social', counter: '12', counter_status: 'open', waiting: 1 } });
  assert.equal(c.status, 'open');
  assert.equal(c.ticket, null);
  sockets[0].recv({ type: 'event', seq: 13, event: { kind: 'device.offline', at: 'x', device: 'kiosk-01', online: false } });
  assert.equal(hs.state.deviceById.get('kiosk-01').online, false);
  sockets[0].recv({ type: 'event', seq: 14, event: { kind: 'notice.set', at: 'x', text: { zh: '通知', en: 'Notice' } } });
  assert.equal(hs.state.hall.notice.zh, '通知');
  // unknown kinds advance seq
  sockets[0].recv({ type: 'event', seq: 15, event: { kind: 'future.kind', at: 'x' } });
  assert.equal(hs.seq, 15);
  // a gap: reconnect with since=15
  sockets[0].recv({ type: 'event', seq: 17, event: { kind: 'ticket.issued', at: 'x', service: 'social', waiting: 5 } });
  assert.equal(hs.seq, 15);
  assert.equal(hs.state.serviceById.get('social').waiting, 1);
  await tick();
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, 'ws://hall.local:8080/ws/v1/halls/nt-main?since=15');
  // the replay continues the state
  sockets[1].recv({ type: 'event', seq: 16, event: { kind: 'ticket.issued', at: 'x', service: 'social', waiting: 2 } });
  assert.equal(hs.seq, 16);
  // day.started: reconnect without since (fresh snapshot)
  sockets[1].recv({ type: 'event', seq: 17, event: { kind: 'day.started', at: 'x', day: '2026-11-24' } });
  await tick();
  assert.equal(sockets.length, 3);
  assert.equal(sockets[2].url, 'ws://hall.local:8080/ws/v1/halls/nt-main');
  sockets[2].recv(snapshot(30));
  assert.equal(hs.seq, 30);
  // a dropped connection reconnects with since
  sockets[2].onclose();
  await tick();
  assert.equal(sockets.length, 4);
  assert.equal(sockets[3].url, 'ws://hall.local:8080/ws/v1/halls/nt-main?since=30');
  hs.stop();
});

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
