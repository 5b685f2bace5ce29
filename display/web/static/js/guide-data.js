// 六公开 (CONTRACT §1 services[].info): loads GET /api/v1/halls/{hall}/guide
// and renders one service's six items, shared by the kiosk's 办事指南 and the
// guide screen.

import { addStrings, t, pick, pickOther } from './i18n.js';
import { api, hallPath, el } from './api.js';

addStrings({
  'guide.title': { zh: '办事指南', en: 'Service guide' },
  'guide.items': { zh: '办理事项', en: 'Items' },
  'guide.procedure': { zh: '办理流程', en: 'Procedure' },
  'guide.materials': { zh: '申请材料', en: 'Required materials' },
  'guide.time_limit': { zh: '办理时限', en: 'Time limit' },
  'guide.fees': { zh: '收费标准及依据', en: 'Fees and legal basis' },
  'guide.phone': { zh: '监督电话', en: 'Supervision phone' },
  'guide.promise': { zh: '承诺件 {n} 个工作日内办结', en: 'Promised cases: within {n} working days' },
  'guide.none': { zh: '本业务暂未公开办事指南，请咨询窗口工作人员', en: 'No guide published for this service yet; please ask at a counter.' },
});

// loadGuide resolves to the services with their info, in config order.
export async function loadGuide(hallId) {
  const res = await api('GET', hallPath(hallId, '/guide'));
  return res.services || [];
}

const ITEMS = ['items', 'procedure', 'materials', 'time_limit', 'fees'];

// guideNodes renders a service's 六公开 as a list of sections; the page's
// language first, the other one below in smaller type.
export function guideNodes(svc, testPrefix) {
  const info = svc.info;
  if (!info) {
    return [el('p', { class: 'gd-none', text: t('guide.none'), testid: `${testPrefix}-none` })];
  }
  const out = [];
  for (const k of ITEMS) {
    const v = info[k];
    if (!v || (!v.zh && !v.en)) {
      continue;
    }
    const body = el('div', { class: 'gd-body' }, el('div', { class: 'gd-main', text: pick(v) }));
    const other = pickOther(v);
    if (other && other !== pick(v)) {
      body.append(el('div', { class: 'gd-other', text: other }));
    }
    if (k === 'time_limit' && svc.promise_days > 0) {
      body.append(el('div', { class: 'gd-promise', text: t('guide.promise', { n: svc.promise_days }) }));
    }
    out.push(el('section', { class: `gd-item gd-${k}`, testid: `${testPrefix}-${k}` },
      el('h3', { class: 'gd-h', text: t('guide.' + k) }), body));
  }
  if (info.phone) {
    out.push(el('section', { class: 'gd-item gd-phone', testid: `${testPrefix}-phone` },
      el('h3', { class: 'gd-h', text: t('guide.phone') }), el('div', { class: 'gd-body num', text: info.phone })));
  }
  return out;
}
