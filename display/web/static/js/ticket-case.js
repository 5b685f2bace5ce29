// The citizen's ticket page shows the case recorded at 办结 (CONTRACT §2
// serve.finish case): its kind and, for a 承诺件, the promised date, with a
// link to the case lookup page.

import { addStrings, t } from './i18n.js';
import { el, setText } from './api.js';

addStrings({
  'tc.kind.instant': { zh: '即办件：已当场办结', en: 'Completed on the spot' },
  'tc.kind.promised': { zh: '承诺件', en: 'Result promised' },
  'tc.kind.joint': { zh: '联办件', en: 'Joint case' },
  'tc.kind.referred': { zh: '上报件：已上报上级部门', en: 'Filed to the higher authority' },
  'tc.promised': { zh: '承诺办结日期', en: 'Result due on' },
  'tc.case_no': { zh: '办件编号', en: 'Case number' },
  'tc.lookup': { zh: '查询办件进度', en: 'Look up this case' },
});

let box = null;

function build() {
  box = el('section', { class: 'tc', testid: 'ticket-case', hidden: true },
    el('div', { class: 'tc-kind', testid: 'ticket-case-kind' }),
    el('div', { class: 'tc-row', testid: 'ticket-promised-row' },
      el('span', { class: 'tc-label' }), el('b', { class: 'tc-date num', testid: 'ticket-promised-date' })),
    el('div', { class: 'tc-row', testid: 'ticket-case-no-row' },
      el('span', { class: 'tc-label tc-no-label' }), el('b', { class: 'num', testid: 'ticket-case-no' })),
    el('a', { class: 'tc-link', testid: 'ticket-case-link' }));
  const anchor = document.querySelector('[data-testid="ticket-note"]') || document.querySelector('main');
  anchor.after(box);
}

// renderCase shows or hides the case part for the ticket as the API gives it.
export function renderCase(ticket) {
  if (!box) {
    build();
  }
  if (!ticket || !ticket.case_kind) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.dataset.kind = ticket.case_kind;
  setText(box.querySelector('.tc-kind'), t('tc.kind.' + ticket.case_kind));
  box.querySelector('[data-testid="ticket-promised-row"]').hidden = !ticket.promised_date;
  setText(box.querySelector('.tc-label'), t('tc.promised'));
  setText(box.querySelector('.tc-date'), ticket.promised_date || '');
  box.querySelector('[data-testid="ticket-case-no-row"]').hidden = !ticket.case_no;
  setText(box.querySelector('.tc-no-label'), t('tc.case_no'));
  setText(box.querySelector('[data-testid="ticket-case-no"]'), ticket.case_no || '');
  const a = box.querySelector('.tc-link');
  a.href = '/case?ticket=' + encodeURIComponent(ticket.ticket_id);
  setText(a, t('tc.lookup'));
}
