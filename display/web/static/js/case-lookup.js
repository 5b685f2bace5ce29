// 办件查询 (触摸屏查询办理进展): /case, or /case?case_no=… / ?ticket=… from the
// ticket's QR. GET /api/v1/halls/{hall}/case-lookup shows the case's kind,
// service and promised date, nothing personal.

import { addStrings, t, pick, initToggle, onLangChange, errorText } from './i18n.js';
import { api, getHall, hallPath, setText } from './api.js';

addStrings({
  'cl.title': { zh: '办件进度查询', en: 'Case lookup' },
  'cl.prompt': { zh: '请输入办件编号（见承诺通知书或取号小票）', en: 'Enter your case number (on the promise notice or ticket)' },
  'cl.placeholder': { zh: '办件编号', en: 'Case number' },
  'cl.submit': { zh: '查询', en: 'Look up' },
  'cl.case_no': { zh: '办件编号', en: 'Case number' },
  'cl.service': { zh: '办理业务', en: 'Service' },
  'cl.day': { zh: '受理日期', en: 'Accepted on' },
  'cl.promised': { zh: '承诺办结日期', en: 'Promised by' },
  'cl.privacy': { zh: '本查询只显示办件类型、业务和承诺日期，不显示任何个人信息。', en: 'Only the case kind, service and promised date are shown; nothing personal.' },
  'cl.notfound': { zh: '未找到此办件，请核对编号', en: 'No case with this number; please check it.' },
  'cl.note.instant': { zh: '此件已当场办结。', en: 'This case was completed on the spot.' },
  'cl.note.promised': { zh: '请于承诺办结日期后凭承诺通知书领取结果。', en: 'Collect the result with your promise notice from the promised date.' },
  'cl.note.joint': { zh: '此件由多个窗口联合办理，牵头窗口：{c}。', en: 'Several counters handle this case; the lead counter is {c}.' },
  'cl.note.referred': { zh: '此件已初审并上报上级部门办理。', en: 'Reviewed here and filed to the higher authority.' },
});

const $ = (s) => document.querySelector(`[data-testid="${s}"]`);
let hall = null;
let last = null;
window.hallqCase = { get result() { return last; } };

function render() {
  if (!last) {
    return;
  }
  const r = last;
  $('case-result').hidden = false;
  $('case-kind').dataset.kind = r.kind;
  setText($('case-kind'), pick(r.kind_name) || r.kind);
  setText($('case-number'), r.case_no || r.ticket);
  setText($('case-service'), pick(r.service_name) || r.service);
  setText($('case-day'), r.day || '');
  $('case-promised-row').hidden = !r.promised_date;
  setText($('case-promised'), r.promised_date || '');
  setText($('case-note'), t('cl.note.' + r.kind, { c: r.lead_counter || '' }));
}

async function lookup(params) {
  $('case-error').hidden = true;
  try {
    last = await api('GET', hallPath(hall.id, '/case-lookup?' + new URLSearchParams(params)));
    render();
  } catch (e) {
    last = null;
    $('case-result').hidden = true;
    $('case-error').textContent = e.code === 'unknown_ticket' ? t('cl.notfound') : errorText(e);
    $('case-error').hidden = false;
  }
}

async function main() {
  initToggle();
  onLangChange(render);
  hall = await getHall();
  if (hall.name) {
    setText($('hall-name'), pick(hall.name));
  }
  $('case-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('case-no').value.trim();
    if (v) {
      lookup({ case_no: v });
    }
  });
  const q = new URLSearchParams(location.search);
  if (q.get('case_no')) {
    $('case-no').value = q.get('case_no');
    lookup({ case_no: q.get('case_no') });
  } else if (q.get('ticket')) {
    lookup({ ticket_id: q.get('ticket') });
  }
}

main();
