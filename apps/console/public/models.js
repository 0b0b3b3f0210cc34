// Models: per model stage, champion / splits / canary / shadows with live numbers per version (charts), promote,
// ramp and rollback through the admin API (which writes to the control topic), and the history with automatic rollbacks.
import { h, num } from './app.js';
import { lineChart } from './charts.js';

let root;
let context;
let charts = [];

export function enter(element, ctx) {
  root = element;
  context = ctx;
  root.append(h('h2', {}, 'Models'), h('div', { id: 'models', class: 'cards' }), h('h3', {}, 'History'), h('div', { id: 'model-history' }), h('p', { id: 'model-result', role: 'status' }));
  void load();
}

export function leave() {
  for (const c of charts) c.destroy();
  charts = [];
}

export function update(event) {
  if (event === 'models' || event === 'model-metrics') void load();
}

async function load() {
  const [{ stages }, { events }] = await Promise.all([context.api('GET', '/v1/admin/models'), context.api('GET', '/v1/admin/models/history?limit=50')]);
  leave();
  const cards = await Promise.all(stages.map(card));
  root.querySelector('#models').replaceChildren(...cards);
  root.querySelector('#model-history').replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ['when', 'stage', 'change', 'by', 'reason'].map((c) => h('th', {}, c)))),
    h('tbody', {}, events.map((e) => h('tr', { class: e.change.automatic ? 'automatic' : undefined, dataset: { action: e.change.action, version: e.change.version ?? '' } },
      h('td', {}, new Date(e.change.at).toLocaleString()),
      h('td', {}, e.stage ?? e.model),
      h('td', {}, `${e.change.action.toLowerCase()}${e.change.version ? ` ${e.change.version}` : ''}`),
      h('td', {}, e.change.automatic ? `automatic (${e.change.actor})` : e.change.actor),
      h('td', {}, e.change.reason))))));
}

async function card(s) {
  const { versions: series, unavailable } = await context.api('GET', `/v1/admin/models/metrics?stage=${encodeURIComponent(s.stage)}`);
  const r = s.routing;
  const role = (v) => (v === r.champion ? 'champion' : (r.splits ?? []).some((x) => x.version === v) ? 'A/B' : r.canary?.version === v ? 'canary' : (r.shadows ?? []).includes(v) ? 'shadow' : '');
  const versionRows = s.versions.map((v) => {
    const last = (series[v.version] ?? []).at(-1);
    const answered = Object.values(last?.answered ?? {}).reduce((a, b) => a + b, 0);
    return h('tr', { dataset: { version: v.version, role: role(v.version), answered: String(answered), champion: String(last?.answered?.CHAMPION ?? 0) } },
      h('td', {}, h('b', {}, v.version), ' ', role(v.version) ? h('span', { class: 'tag' }, role(v.version)) : ''),
      h('td', { class: 'num', title: Object.entries(last?.answered ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') }, last ? num(answered, 0) : '–'),
      h('td', { class: 'num' }, last?.errorRate == null ? '–' : `${num(last.errorRate * 100)} %`),
      h('td', { class: 'num' }, last?.latencyMs == null ? '–' : `${num(last.latencyMs)} ms`),
      h('td', { class: 'num' }, last?.cacheHitRate == null ? '–' : `${num(last.cacheHitRate * 100)} %`),
      h('td', { class: 'num' }, last ? `$${num(last.costTotal, 4)}` : '–'),
      h('td', { class: 'num' }, last?.agreement == null ? '–' : `${num(last.agreement * 100)} %`),
      h('td', { class: 'num' }, last?.drift == null ? '–' : num(last.drift, 3)),
      h('td', {}, context.canAct && v.version !== r.champion ? [
        h('button', { class: 'promote', dataset: { version: v.version }, onclick: () => act(s.stage, 'promote', { version: v.version }, `Promote ${v.version} to champion of ${s.stage}?`) }, 'Promote'),
        h('button', { class: 'ramp', onclick: () => act(s.stage, 'ramp', { version: v.version, steps: [5, 25, 50, 100], stepIntervalMs: 60_000 }, `Ramp ${v.version} on ${s.stage}: 5, 25, 50, 100 % a minute apart?`) }, 'Ramp'),
      ] : ''));
  });
  const box = h('div', { class: 'chart' });
  const element = h('section', { class: 'card', dataset: { stage: s.stage } },
    h('h3', {}, `${s.stage} · ${s.model}`),
    h('p', { class: 'muted' }, `champion ${r.champion}${r.canary ? ` · canary ${r.canary.version} ${r.canary.percent ?? ''}%` : ''}${(r.splits ?? []).length ? ` · A/B ${r.splits.map((x) => `${x.version} ${x.percent}%`).join(', ')}` : ''}${(r.shadows ?? []).length ? ` · shadows ${r.shadows.join(', ')}` : ''}`),
    unavailable ? h('p', { class: 'muted' }, `live numbers unavailable: ${unavailable}`) : '',
    h('table', {}, h('thead', {}, h('tr', {}, ['version', 'answered', 'errors', 'latency', 'cache hits', 'cost', 'agreement', 'drift (PSI)', ''].map((c) => h('th', {}, c)))), h('tbody', {}, versionRows)),
    context.canAct ? h('button', { class: 'rollback', onclick: () => act(s.stage, 'rollback', {}, `Roll ${s.stage} back to its previous champion?`) }, 'Roll back') : '',
    box);
  const versions = Object.keys(series);
  const longest = versions.map((v) => series[v]).sort((a, b) => b.length - a.length)[0] ?? [];
  if (longest.length > 1) {
    queueMicrotask(() => charts.push(lineChart(box, versions.map((v) => `${v} latency ms`), [longest.map((p) => p.t / 1000), ...versions.map((v) => longest.map((p) => series[v].find((q) => q.t === p.t)?.latencyMs ?? null))], { height: 140 })));
  }
  return element;
}

async function act(stage, action, body, question) {
  if (!(await context.confirm(question))) return;
  const status = root.querySelector('#model-result');
  try {
    await context.api('POST', `/v1/admin/models/${encodeURIComponent(stage)}/${action}`, body);
    status.textContent = `${action} of ${stage} sent to the control topic`;
    status.className = 'ok';
  } catch (error) {
    status.textContent = error.message;
    status.className = 'error';
  }
  await load();
}
