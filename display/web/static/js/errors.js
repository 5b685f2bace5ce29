// errors.js: what a citizen at the kiosk or a clerk at the console reads when
// a request fails — the page's own words for the error code (CONTRACT §2
// codes) with the next step, in each language. Never the server's text, ids
// or the browser's fetch error: those go to the console log only.
//
//   import { citizenError, staffError } from './errors.js';
//   node.textContent = citizenError(e);          // e: ApiError {code, status}

import { addStrings, t } from './i18n.js';

addStrings({
  // at the kiosk
  'help.citizen.quota_exhausted': { zh: '今日号源已满，请明日再来或咨询导办台', en: "Today's tickets for this service are all taken. Please come back tomorrow or ask at the help desk." },
  'help.citizen.service_closed': { zh: '该业务现在不在办理时间，请在办理时间内取号或咨询导办台', en: 'This service is not open now. Please come back during its hours or ask at the help desk.' },
  'help.citizen.duplicate_ticket': { zh: '您已取过该业务的号，请留意叫号；号码遗失请咨询导办台', en: 'You already have a ticket for this service. Please wait for your number, or ask at the help desk if you lost it.' },
  'help.citizen.unknown_appointment': { zh: '未找到今日该业务的预约，请核对预约码或咨询导办台', en: 'No appointment for this service today with that code. Please check the code or ask at the help desk.' },
  'help.citizen.unknown_service': { zh: '该业务暂不能取号，请咨询导办台', en: 'Tickets for this service are not available. Please ask at the help desk.' },
  'help.citizen.rate_limited': { zh: '取号人数较多，请稍候几秒再试', en: 'Many people are taking tickets. Please try again in a few seconds.' },
  'help.citizen.unavailable': { zh: '系统繁忙，请稍后再试或咨询导办台', en: 'The system is busy. Please try again shortly or ask at the help desk.' },
  'help.citizen.network': { zh: '取号机网络中断，请稍后再试或咨询导办台', en: 'This kiosk has lost its connection. Please try again shortly or ask at the help desk.' },
  'help.citizen.unauthorized': { zh: '本机暂不能取号，请咨询导办台', en: 'This kiosk cannot issue tickets now. Please ask at the help desk.' },
  'help.citizen.forbidden': { zh: '本机暂不能取号，请咨询导办台', en: 'This kiosk cannot issue tickets now. Please ask at the help desk.' },
  'help.citizen.bad_request': { zh: '取号未成功，请重试或咨询导办台', en: 'That did not work. Please try again or ask at the help desk.' },
  'help.citizen.other': { zh: '暂时无法取号，请咨询导办台', en: 'Tickets cannot be issued right now. Please ask at the help desk.' },
  // at the console
  'help.staff.queue_empty': { zh: '当前没有等候的群众，稍后再叫号', en: 'Nobody is waiting for this counter. Call again later.' },
  'help.staff.counter_closed': { zh: '窗口未开启，请先点“开窗”', en: 'The counter is closed. Press “Open” first.' },
  'help.staff.invalid_state': { zh: '当前状态不能这样操作，请看“当前号码”后再试', en: 'Not possible in the counter’s current state. Check the current ticket and try again.' },
  'help.staff.unknown_ticket': { zh: '没有这个号码，请核对后重输（如 A028）', en: 'No such ticket today. Check the number (e.g. A028) and try again.' },
  'help.staff.unknown_service': { zh: '没有这个业务，请重新选择', en: 'No such service. Please choose again.' },
  'help.staff.forbidden': { zh: '您未在此窗口签到，请先选择窗口签到', en: 'You are not signed in at this counter. Choose your counter first.' },
  'help.staff.unauthorized': { zh: '登录已失效，请重新登录', en: 'Your session has ended. Please log in again.' },
  'help.staff.rate_limited': { zh: '操作过于频繁，请稍候几秒再试', en: 'Too many requests. Wait a few seconds and try again.' },
  'help.staff.unavailable': { zh: '系统暂时无法保存，请稍后再试；持续出现请联系管理员', en: 'The system cannot save right now. Try again shortly; tell the administrator if it persists.' },
  'help.staff.network': { zh: '与服务器的连接中断，请检查网络后重试', en: 'The connection to the server is down. Check the network and try again.' },
  'help.staff.bad_request': { zh: '输入有误，请检查后重试', en: 'Something in the input is not right. Check it and try again.' },
  'help.staff.nothing_to_rate': { zh: '没有可评价的办件', en: 'There is no visit to rate.' },
  'help.staff.already_rated': { zh: '该办件已评价', en: 'This visit has already been rated.' },
  'help.staff.service_closed': { zh: '该业务当前不办理，请选择其他业务', en: 'That service is closed now. Choose another.' },
  'help.staff.quota_exhausted': { zh: '该业务今日号源已满，请选择其他业务', en: "That service's tickets are all taken today. Choose another." },
  'help.staff.other': { zh: '操作未成功，请重试；持续出现请联系管理员', en: 'That did not work. Try again; tell the administrator if it persists.' },
  'help.staff.login.unauthorized': { zh: '用户名或密码错误，请重新输入', en: 'Wrong user name or password. Please try again.' },
  'help.staff.login.rate_limited': { zh: '此账号在本机登录失败次数过多，请 1 分钟后再试', en: 'Too many failed logins for this user here. Try again in a minute.' },
});

function help(audience, e) {
  const code = (e && e.code) || 'network';
  if (e && (e.message || e.code)) {
    console.info('hallq', audience, 'error', code, e.message || '');   // for whoever debugs, not for the reader
  }
  const key = `help.${audience}.${code}`;
  return t(key) !== key ? t(key) : t(`help.${audience}.other`);
}

// citizenError is the kiosk's sentence for a failed request.
export function citizenError(e) {
  return help('citizen', e);
}

// staffError is the console's sentence for a failed request; login errors
// have their own (wrong password, too many tries).
export function staffError(e, login = false) {
  if (login && e && (e.code === 'unauthorized' || e.code === 'rate_limited')) {
    return t(`help.staff.login.${e.code}`);
  }
  return help('staff', e);
}
