// The supervisors' report page (/reports): visits report by service, counter,
// staff, day or hour (CONTRACT §5 reports), charts drawn with the vendored
// Apache ECharts (window.echarts), rankings and the 回访 sample, each with
// CSV and XLSX downloads. Needs a supervisor or admin session. The source
// select reads MySQL instead of the local store, and with halls (all, or
// ids) the visits report covers those halls (docs/reports.md "City-wide").
// URL options: ?from=&to=&by=&source=mysql&halls=all.
import { api, ApiError, getHall, hallPath, el } from './api.js';
import { addStrings, t, pick, initToggle, onLangChange, errorText } from './i18n.js';

addStrings({
  'rp.app': { zh: '统计报表', en: 'Reports' },
  'rp.login.title': { zh: '监察人员登录', en: 'Supervisor sign-in' },
  'rp.login.user': { zh: '用户名', en: 'User name' },
  'rp.login.pass': { zh: '密码', en: 'Password' },
  'rp.login': { zh: '登录', en: 'Sign in' },
  'rp.login.bad': { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  'rp.forbidden': { zh: '需要监察或管理员权限', en: 'Needs the supervisor or admin role' },
  'rp.from': { zh: '开始日期', en: 'From' },
  'rp.to': { zh: '结束日期', en: 'To' },
  'rp.by': { zh: '分组', en: 'Group by' },
  'rp.source': { zh: '数据源', en: 'Source' },
  'rp.source.local': { zh: '本馆', en: 'This hall' },
  'rp.source.mysql': { zh: '城市库（MySQL）', en: 'City database (MySQL)' },
  'rp.halls': { zh: '大厅', en: 'Halls' },
  'rp.by.service': { zh: '按业务', en: 'Service' },
  'rp.by.counter': { zh: '按窗口', en: 'Counter' },
  'rp.by.staff': { zh: '按人员', en: 'Staff' },
  'rp.by.day': { zh: '按日期', en: 'Day' },
  'rp.by.hour': { zh: '按时段', en: 'Hour' },
  'rp.run': { zh: '查询', en: 'Show' },
  'rp.csv': { zh: '下载 CSV', en: 'CSV' },
  'rp.xlsx': { zh: '下载 Excel', en: 'Excel' },
  'rp.chart.hourly': { zh: '分时段取号与等候', en: 'Arrivals and waits by hour' },
  'rp.chart.sl': { zh: '各业务服务达标率', en: 'Service level by service' },
  'rp.chart.levels': { zh: '满意度（按等级）', en: 'Satisfaction by level' },
  'rp.chart.dims': { zh: '满意度（按维度）', en: 'Satisfaction by dimension' },
  'rp.table': { zh: '办件统计', en: 'Visits' },
  'rp.rank': { zh: '窗口与人员排名', en: 'Rankings' },
  'rp.period': { zh: '期间', en: 'Period' },
  'rp.sampling': { zh: '回访抽样', en: 'Call-back sample' },
  'rp.month': { zh: '月份', en: 'Month' },
  'rp.seed': { zh: '随机种子', en: 'Seed' },
  'rp.redflag': { zh: '红旗窗口', en: 'Red-flag' },
  'rp.top': { zh: '前十名', en: 'Top 10' },
  'rp.bottom': { zh: '末位', en: 'Bottom' },
  'rp.issued': { zh: '取号数', en: 'Issued' },
  'rp.wait': { zh: '平均等候(秒)', en: 'Mean wait (s)' },
  'rp.sl': { zh: '达标率', en: 'Service level' },
  'rp.ratings': { zh: '评价数', en: 'Ratings' },
  'rp.mean': { zh: '平均等级', en: 'Mean level' },
  'rp.attendance': { zh: '人员考勤', en: 'Attendance' },
});

// Column labels of the visits table (the field names of CONTRACT §5).
const cols = {
  key: { zh: '分组', en: 'Key' }, issued: { zh: '取号', en: 'Issued' }, served: { zh: '办结', en: 'Served' },
  no_show: { zh: '过号', en: 'No-show' }, transferred: { zh: '转办', en: 'Transferred' },
  wait_mean_s: { zh: '平均等候(秒)', en: 'Wait mean (s)' }, wait_p50_s: { zh: '等候中位(秒)', en: 'Wait p50 (s)' },
  wait_p90_s: { zh: '等候P90(秒)', en: 'Wait p90 (s)' }, service_mean_s: { zh: '平均办理(秒)', en: 'Service mean (s)' },
  service_level: { zh: '达标率', en: 'Service level' }, rated: { zh: '已评价', en: 'Rated' },
  unrated: { zh: '未评价', en: 'Unrated' }, level_5: { zh: '非常满意', en: 'Very satisfied' },
  level_4: { zh: '满意', en: 'Satisfied' }, level_3: { zh: '基本满意', en: 'Fairly satisfied' },
  level_2: { zh: '不满意', en: 'Dissatisfied' }, level_1: { zh: '非常不满意', en: 'Very dissatisfied' },
  good_rate: { zh: '好评率', en: 'Good rate' }, bad_rate: { zh: '差评率', en: 'Bad rate' },
  unrated_rate: { zh: '未评率', en: 'Unrated rate' },
  case_instant: { zh: '即办件', en: 'Instant cases' }, case_promised: { zh: '承诺件', en: 'Promised cases' },
  case_joint: { zh: '联办件', en: 'Joint cases' }, case_referred: { zh: '上报件', en: 'Referred cases' },
  promised_past_rate: { zh: '承诺期已过占比', en: 'Promised, date passed' },
};
// Column labels of the attendance table (issue 11, docs/reports.md).
const attCols = {
  day: { zh: '日期', en: 'Day' }, staff_id: { zh: '人员', en: 'Staff' },
  first_sign_in: { zh: '首次签到', en: 'First sign-in' }, last_sign_out: { zh: '最后签退', en: 'Last sign-out' },
  minutes: { zh: '在岗分钟', en: 'Minutes' }, counters: { zh: '窗口', en: 'Counters' },
  handovers_in: { zh: '接岗(AB岗)', en: 'Handovers in' }, handovers_out: { zh: '交岗(AB岗)', en: 'Handovers out' },
};
const rankCols = ['rank', 'key', 'score', 'served', 'satisfaction', 'service_level', 'wait_score', 'no_show_rate', 'cases'];
const dimNames = {
  approval: { zh: '审批行为', en: 'Approval' }, efficiency: { zh: '办事效率', en: 'Efficiency' },
  attitude: { zh: '服务态度', en: 'Attitude' }, fees: { zh: '收费情况', en: 'Fees' }, integrity: { zh: '廉政建设', en: 'Integrity' },
};

const $ = (s) => document.querySelector(s);
const ui = {
  login: $('[data-testid="reports-login"]'),
  main: $('[data-testid="reports-main"]'),
  form: $('[data-testid="report-form"]'),
  err: $('[data-testid="report-error"]'),
  table: $('[data-testid="report-table"]'),
  rankForm: $('[data-testid="rank-form"]'),
  rankTable: $('[data-testid="rank-table"]'),
  rankFlags: $('[data-testid="rank-flags"]'),
  sampForm: $('[data-testid="sampling-form"]'),
  attTable: $('[data-testid="attendance-table"]'),
  attErr: $('[data-testid="attendance-error"]'),
};
let hall = null;
let last = null; // the last answers, redrawn on a language change
const charts = {};

function today(tz) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz || 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function fmt(v, key) {
  if (v == null) {
    return '—';
  }
  const share = key.endsWith('_rate') || ['service_level', 'satisfaction', 'wait_score', 'case_score'].includes(key);
  if (typeof v === 'number' && share) {
    return (100 * v).toFixed(1) + '%';
  }
  return String(v);
}

function renderTable(table, keys, rows, label) {
  const head = el('tr', {}, ...keys.map((k) => el('th', { title: k, text: label ? label(k) : k })));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...rows.map((r) => el('tr', { testid: 'row-' + r.key }, ...keys.map((k) => el('td', { text: fmt(r[k], k) })))));
}

function chart(name) {
  const node = $(`[data-testid="chart-${name}"]`);
  if (!charts[name]) {
    charts[name] = window.echarts.init(node, null, { renderer: 'canvas' });
    charts[name].on('finished', () => { node.dataset.rendered = '1'; });
  }
  return charts[name];
}

const axis = { axisLabel: { color: '#9eb0d0' }, axisLine: { lineStyle: { color: '#23457f' } }, splitLine: { lineStyle: { color: '#13306640' } } };
const legend = { textStyle: { color: '#f3f6fc' }, top: 0 };

function drawCharts() {
  if (!last || !window.echarts) {
    return;
  }
  const { hourly, byService, dims } = last;
  chart('hourly').setOption({
    animation: false, legend, tooltip: { trigger: 'axis' }, grid: { left: 48, right: 48, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: hourly.map((r) => r.key), ...axis },
    yAxis: [{ type: 'value', name: t('rp.issued'), ...axis }, { type: 'value', name: t('rp.wait'), ...axis }],
    series: [
      { name: t('rp.issued'), type: 'bar', data: hourly.map((r) => r.issued), itemStyle: { color: '#e9c25b' } },
      { name: t('rp.wait'), type: 'line', yAxisIndex: 1, data: hourly.map((r) => r.wait_mean_s), itemStyle: { color: '#35d08a' } },
    ],
  }, true);
  const svcName = (id) => (hall.services && hall.services[id] ? pick(hall.services[id]) : id);
  chart('service-level').setOption({
    animation: false, tooltip: { trigger: 'axis' }, grid: { left: 48, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: byService.map((r) => svcName(r.key)), ...axis, axisLabel: { color: '#9eb0d0', rotate: 30 } },
    yAxis: { type: 'value', max: 100, name: '%', ...axis },
    series: [{ name: t('rp.sl'), type: 'bar', data: byService.map((r) => (r.service_level == null ? null : +(100 * r.service_level).toFixed(1))), itemStyle: { color: '#35d08a' } }],
  }, true);
  const levels = [5, 4, 3, 2, 1].map((l) => ({
    name: pick(cols['level_' + l]), value: byService.reduce((n, r) => n + r['level_' + l], 0),
  }));
  chart('levels').setOption({
    animation: false, legend, tooltip: { trigger: 'item' },
    color: ['#35d08a', '#7fd67f', '#e9c25b', '#ffb020', '#ff5a5f'],
    series: [{ type: 'pie', radius: ['35%', '65%'], top: 24, data: levels, label: { color: '#f3f6fc' } }],
  }, true);
  chart('dims').setOption({
    animation: false, legend, tooltip: { trigger: 'axis' }, grid: { left: 48, right: 48, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: dims.map((d) => (dimNames[d.dim] ? pick(dimNames[d.dim]) : d.dim)), ...axis },
    yAxis: [{ type: 'value', name: t('rp.ratings'), ...axis }, { type: 'value', name: t('rp.mean'), min: 1, max: 5, ...axis }],
    series: [
      { name: t('rp.ratings'), type: 'bar', data: dims.map((d) => d.rated), itemStyle: { color: '#1b3f80' } },
      { name: t('rp.mean'), type: 'line', yAxisIndex: 1, data: dims.map((d) => d.mean_level), itemStyle: { color: '#e9c25b' } },
    ],
  }, true);
}

function reportURL(kind, params, format) {
  const q = new URLSearchParams(params);
  if (format) {
    q.set('format', format);
  }
  return hallPath(hall.id, `/${kind}?${q}`);
}

async function run() {
  const f = new FormData(ui.form);
  const p = { from: f.get('from'), to: f.get('to') };
  if (f.get('source') === 'mysql') {
    p.source = 'mysql';
  }
  // City-wide (several halls in MySQL): the visits report only.
  const v = p.source && (f.get('halls') || '').trim() ? { ...p, halls: f.get('halls').trim() } : p;
  const by = f.get('by');
  $('[data-testid="download-csv"]').href = reportURL('reports/visits', { ...v, by }, 'csv');
  $('[data-testid="download-xlsx"]').href = reportURL('reports/visits', { ...v, by }, 'xlsx');
  ui.err.textContent = '';
  try {
    const [sel, hourly, byService, dims] = await Promise.all([
      api('GET', reportURL('reports/visits', { ...v, by })),
      api('GET', reportURL('reports/visits', { ...v, by: 'hour' })),
      api('GET', reportURL('reports/visits', { ...v, by: 'service' })),
      api('GET', reportURL('reports/dims', p)),
    ]);
    last = { ...(last || {}), sel: sel.rows, hourly: hourly.rows, byService: byService.rows, dims: dims.rows };
    renderTable(ui.table, Object.keys(cols), last.sel, (k) => pick(cols[k]));
    drawCharts();
    await runAttendance(p);
    document.body.dataset.ready = '1';
  } catch (e) {
    ui.err.textContent = e instanceof ApiError && e.status === 403 ? t('rp.forbidden') : errorText(e);
  }
}

// runAttendance fills the attendance table for the report form's dates.
async function runAttendance(p) {
  $('[data-testid="attendance-csv"]').href = reportURL('reports/attendance', p, 'csv');
  $('[data-testid="attendance-xlsx"]').href = reportURL('reports/attendance', p, 'xlsx');
  ui.attErr.textContent = '';
  try {
    const r = await api('GET', reportURL('reports/attendance', p));
    last = { ...(last || {}), att: r.rows.map((x) => ({ ...x, key: `${x.day}-${x.staff_id}` })) };
    renderTable(ui.attTable, Object.keys(attCols), last.att, (k) => pick(attCols[k]));
  } catch (e) {
    ui.attErr.textContent = errorText(e);
  }
}

async function runRank() {
  const f = new FormData(ui.rankForm);
  const p = { period: f.get('period'), by: f.get('by') };
  $('[data-testid="rank-csv"]').href = reportURL('reports/rankings', p, 'csv');
  $('[data-testid="rank-xlsx"]').href = reportURL('reports/rankings', p, 'xlsx');
  try {
    const r = await api('GET', reportURL('reports/rankings', p));
    renderTable(ui.rankTable, rankCols, r.rows);
    const parts = [];
    if (r.red_flag) {
      parts.push(`${t('rp.redflag')}: ${r.red_flag}`);
    }
    if (r.top.length) {
      parts.push(`${t('rp.top')}: ${r.top.join(', ')}`);
    }
    if (r.bottom) {
      parts.push(`${t('rp.bottom')}: ${r.bottom}`);
    }
    ui.rankFlags.textContent = parts.join(' · ');
  } catch (e) {
    ui.rankFlags.textContent = errorText(e);
  }
}

function sampLinks() {
  const f = new FormData(ui.sampForm);
  const p = { month: f.get('month'), seed: f.get('seed') };
  $('[data-testid="sampling-csv"]').href = reportURL('sampling', p, 'csv');
  $('[data-testid="sampling-xlsx"]').href = reportURL('sampling', p, 'xlsx');
}

async function start() {
  const q = new URLSearchParams(location.search);
  const day = today(hall.timezone);
  ui.form.from.value = q.get('from') || day;
  ui.form.to.value = q.get('to') || day;
  if (q.get('by')) {
    ui.form.by.value = q.get('by');
  }
  const hallsLabel = $('[data-testid="report-halls-label"]');
  const showHalls = () => { hallsLabel.hidden = ui.form.source.value !== 'mysql'; };
  if (q.get('source') === 'mysql') {
    ui.form.source.value = 'mysql';
    ui.form.halls.value = q.get('halls') || '';
  }
  ui.form.source.addEventListener('change', showHalls);
  showHalls();
  ui.rankForm.period.value = q.get('period') || day.slice(0, 7);
  ui.sampForm.month.value = q.get('month') || day.slice(0, 7);
  ui.login.hidden = true;
  ui.main.hidden = false;
  ui.form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  ui.rankForm.addEventListener('submit', (e) => { e.preventDefault(); runRank(); });
  ui.sampForm.addEventListener('input', sampLinks);
  sampLinks();
  await Promise.all([run(), runRank()]);
}

async function main() {
  initToggle();
  onLangChange(() => {
    drawCharts();
    if (last && last.sel) { renderTable(ui.table, Object.keys(cols), last.sel, (k) => pick(cols[k])); }
    if (last && last.att) { renderTable(ui.attTable, Object.keys(attCols), last.att, (k) => pick(attCols[k])); }
  });
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  hall = await getHall();
  $('[data-testid="hall-name"]').textContent = hall.name ? pick(hall.name) : hall.id;
  try {
    const snap = await api('GET', hallPath(hall.id, '/snapshot'));
    hall.services = Object.fromEntries(((snap && snap.state && snap.state.services) || []).map((s) => [s.id, s.name]));
  } catch (_) { hall.services = {}; }
  try {
    await api('GET', '/api/v1/me');
    await start();
    return;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      ui.login.hidden = false;
      $('[data-testid="login-error"]').textContent = errorText(e);
    }
  }
  ui.login.hidden = false;
  ui.login.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(ui.login);
    try {
      await api('POST', '/api/v1/login', { body: { username: f.get('username'), password: f.get('password') } });
      await start();
    } catch (err) {
      $('[data-testid="login-error"]').textContent = err instanceof ApiError && err.status === 401 ? t('rp.login.bad') : errorText(err);
    }
  });
}

main();
