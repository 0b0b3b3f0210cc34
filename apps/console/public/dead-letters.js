// Dead letters: per stage, filter by error class and time, open one (cause headers + decoded original), re-drive one, a selection or all.
import { h, num } from './app.js';

let root;
let context;
let stage;
const filter = { errorClass: '', since: '', until: '' };
let page;

export function enter(element, ctx, latest) {
  root = element;
  context = ctx;
  root.append(h('h2', {}, 'Dead letters'), h('div', { id: 'dl-stages', class: 'chips' }), h('div', { id: 'dl-filter' }), h('p', { id: 'dl-result', role: 'status' }), h('div', { id: 'dl-list' }));
  if (latest['dead-letters']) update('dead-letters', latest['dead-letters']);
  else context.api('GET', '/v1/admin/dead-letters').then((d) => update('dead-letters', d));
}

export function update(event, data) {
  if (event !== 'dead-letters') return;
  const box = root.querySelector('#dl-stages');
  box.replaceChildren(...data.stages.map((s) => h('button', { class: s.stage === stage ? 'chip active' : 'chip', dataset: { stage: s.stage, count: String(s.count), pending: String(s.pending) }, onclick: () => choose(s.stage, data) }, `${s.stage} `, h('b', {}, num(s.count, 0)), s.pending ? ` (${num(s.pending, 0)} pending)` : '')));
  if (stage) {
    const summary = data.stages.find((s) => s.stage === stage);
    if (summary && page && summary.count !== page.total) void load();
  }
}

function choose(name, data) {
  stage = name;
  filter.errorClass = '';
  update('dead-letters', data);
  const summary = data.stages.find((s) => s.stage === name);
  const classes = h('select', { id: 'dl-class', onchange: (e) => { filter.errorClass = e.target.value; void load(); } }, h('option', { value: '' }, 'every error class'), summary.errorClasses.map((c) => h('option', { value: c.errorClass }, `${c.errorClass} (${c.count})`)));
  const time = (id, label) => h('label', {}, label, h('input', { id, type: 'datetime-local', onchange: (e) => { filter[id.slice(3)] = e.target.value ? new Date(e.target.value).toISOString() : ''; void load(); } }));
  const actions = context.canAct
    ? [h('button', { id: 'dl-redrive-selected', onclick: redriveSelected }, 'Re-drive selected'), h('button', { id: 'dl-redrive-all', onclick: redriveAll }, 'Re-drive all')]
    : [h('span', { class: 'muted' }, 'read-only: re-drive needs operator:act')];
  root.querySelector('#dl-filter').replaceChildren(h('div', { class: 'filters' }, classes, time('dl-since', 'since '), time('dl-until', 'until '), ...actions));
  void load();
}

async function load() {
  const query = new URLSearchParams({ limit: '100', ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) });
  page = await context.api('GET', `/v1/admin/dead-letters/${encodeURIComponent(stage)}?${query}`);
  const rows = page.letters.map((l) => {
    const id = `${l.partition}@${l.offset}`;
    return h('li', { class: l.redriven ? 'letter redriven' : 'letter', dataset: { partition: String(l.partition), offset: l.offset } },
      h('details', {},
        h('summary', {},
          context.canAct ? h('input', { type: 'checkbox', class: 'pick', 'aria-label': `select ${id}`, onclick: (e) => e.stopPropagation() }) : '',
          h('code', {}, `p${id}`), ' ', h('b', { class: 'error-class' }, l.cause.errorClass ?? '?'), ' ', h('span', { class: 'muted' }, new Date(l.failedAt).toLocaleString()), l.redriven ? h('span', { class: 'tag' }, 're-driven') : '',
          h('div', { class: 'message' }, l.cause.errorMessage ?? '')),
        h('h4', {}, 'cause'), h('pre', { class: 'cause' }, JSON.stringify(l.cause, null, 2)),
        h('h4', {}, 'original'), h('pre', { class: 'original' }, JSON.stringify(l.original, null, 2)),
        context.canAct ? h('button', { class: 'redrive-one', onclick: () => redrive([{ partition: l.partition, offset: l.offset }], `Re-drive dead letter p${id} of ${stage} to ${l.cause.sourceTopic}?`) }, 'Re-drive this one') : ''));
  });
  root.querySelector('#dl-list').replaceChildren(h('p', { class: 'muted' }, `${num(page.matched, 0)} of ${num(page.total, 0)} match; newest first${page.matched > page.letters.length ? `, first ${page.letters.length} shown` : ''}`), h('ul', { class: 'letters' }, rows));
}

async function redrive(records, question, all = false) {
  if (!(await context.confirm(question))) return;
  const status = root.querySelector('#dl-result');
  try {
    const report = await context.api('POST', `/v1/admin/dead-letters/${encodeURIComponent(stage)}/redrive`, all ? { all: true } : { records });
    status.textContent = `re-driven ${report.moved} record(s)`;
    status.className = 'ok';
  } catch (error) {
    status.textContent = error.message;
    status.className = 'error';
  }
  await load();
}

function redriveSelected() {
  const records = [...root.querySelectorAll('li.letter')].filter((li) => li.querySelector('input.pick')?.checked).map((li) => ({ partition: Number(li.dataset.partition), offset: li.dataset.offset }));
  if (!records.length) return context.confirm('Select dead letters first (tick their boxes).');
  return redrive(records, `Re-drive ${records.length} selected dead letter(s) of ${stage}?`);
}

function redriveAll() {
  return redrive([], `Re-drive ALL not yet re-driven dead letters of ${stage} to their source topics?`, true);
}
