// The console's case kind at 办结 (CONTRACT §2 serve.finish case, 1.1): a row
// under the ops where staff pick 即办/承诺/联办/上报 (keys 1-4, 0 clears) and
// type the case number; the next serve.finish (button or F) sends it, and the
// row then shows the promised date hallq computed on the working-day calendar.

import { addStrings, t, onLangChange } from './i18n.js';
import { el, setText } from './api.js';

addStrings({
  'cx.label': { zh: '办件类型', en: 'Case kind' },
  'cx.instant': { zh: '即办件', en: 'Instant' },
  'cx.promised': { zh: '承诺件', en: 'Promised' },
  'cx.joint': { zh: '联办件', en: 'Joint' },
  'cx.referred': { zh: '上报件', en: 'Referred' },
  'cx.no': { zh: '办件编号（可选）', en: 'Case number (optional)' },
  'cx.done': { zh: '{n} 已办结：{k}', en: '{n} finished: {k}' },
  'cx.done.promised': { zh: '{n} 已办结：承诺件，承诺办结日期 {d}', en: '{n} finished: promised case, result due {d}' },
});

const KINDS = ['instant', 'promised', 'joint', 'referred'];
let kind = '';
const chips = new Map();
const input = el('input', { class: 'cx-no', testid: 'console-case-no', maxlength: '64', autocomplete: 'off' });
const label = el('span', { class: 'cx-label' });
const result = el('div', { class: 'cx-result', testid: 'console-case-result', 'aria-live': 'polite' });
const row = el('div', { class: 'cx', testid: 'console-case' }, label);
for (const [i, k] of KINDS.entries()) {
  const b = el('button', { type: 'button', class: 'cx-kind', testid: `console-case-${k}`, 'data-kind': k, onclick: () => select(k) },
    el('span', { class: 'cx-name' }), el('kbd', { text: String(i + 1) }));
  chips.set(k, b);
  row.append(b);
}
row.append(input, result);

function labels() {
  setText(label, t('cx.label'));
  input.placeholder = t('cx.no');
  for (const [k, b] of chips) {
    setText(b.querySelector('.cx-name'), t('cx.' + k));
  }
}

function select(k) {
  kind = kind === k ? '' : k;
  row.dataset.kind = kind;
  for (const [kk, b] of chips) {
    b.classList.toggle('active', kk === kind);
    b.setAttribute('aria-pressed', kk === kind ? 'true' : 'false');
  }
}

// caseArgs adds the chosen case to a serve.finish request.
export function caseArgs(op, args) {
  if (op !== 'serve.finish' || !kind) {
    return args;
  }
  const c = { kind };
  const no = input.value.trim();
  if (no) {
    c.case_no = no;
  }
  return { ...args, case: c };
}

// caseFinished shows what a finish recorded and clears the row for the next visit.
export function caseFinished(op, res) {
  if (op !== 'serve.finish' || !res) {
    return;
  }
  if (res.case_kind) {
    result.dataset.kind = res.case_kind;
    result.dataset.promised = res.promised_date || '';
    setText(result, res.promised_date ? t('cx.done.promised', { n: res.number, d: res.promised_date })
      : t('cx.done', { n: res.number, k: t('cx.' + res.case_kind) }));
  } else {
    result.dataset.kind = '';
    setText(result, '');
  }
  input.value = '';
  select('');
}

function onKey(e) {
  if (document.body.dataset.view !== 'main' || e.ctrlKey || e.metaKey || e.altKey) {
    return;
  }
  const dlg = document.querySelector('[data-testid="console-dialog"]');
  if (dlg && !dlg.hidden) {
    return;
  }
  const tag = (e.target && e.target.tagName) || '';
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
    if (e.target === input && e.key === 'Enter') {
      e.preventDefault();
      input.blur();
    }
    return;
  }
  const i = '1234'.indexOf(e.key);
  if (i >= 0 && e.key.length === 1) {
    e.preventDefault();
    select(KINDS[i]);
  } else if (e.key === '0') {
    e.preventDefault();
    select('');
  }
}

function mount() {
  const ops = document.querySelector('[data-testid="console-ops"]');
  if (ops && !row.isConnected) {
    ops.after(row);
  }
  labels();
}

onLangChange(labels);
document.addEventListener('keydown', onKey);
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', mount);
} else {
  mount();
}
