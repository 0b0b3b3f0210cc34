// Topology: stages and topics laid out by dagre as an SVG graph, with lag, instances and rates; a table with per-partition lag.
import dagre from '/console/vendor/dagre.esm.js';
import { h, num } from './app.js';
import { lineChart } from './charts.js';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attributes = {}, text) => {
  const element = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
};

let root;
let context;
let selected;
let chart;

export function enter(element, ctx, latest) {
  root = element;
  context = ctx;
  root.append(h('h2', {}, 'Topology'), h('div', { id: 'graph', class: 'graph' }), h('div', { id: 'stage-chart' }), h('div', { id: 'stage-table' }));
  if (latest.topology) update('topology', latest.topology);
  else context.api('GET', '/v1/admin/topology').then((s) => update('topology', s));
}

export function leave() {
  chart?.destroy();
  chart = undefined;
}

export function update(event, snapshot) {
  if (event !== 'topology' || !snapshot) return;
  drawGraph(snapshot);
  drawTable(snapshot);
  if (selected) void drawChart(selected);
}

function drawGraph(snapshot) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const used = new Set(snapshot.stages.flatMap((s) => [...s.inputs, ...s.outputs, s.deadLetter]));
  for (const t of snapshot.topics.filter((t) => used.has(t.name))) g.setNode(`t:${t.name}`, { kind: 'topic', topic: t, width: 190, height: 34 });
  for (const s of snapshot.stages) {
    g.setNode(`s:${s.name}`, { kind: 'stage', stage: s, width: 170, height: 64 });
    for (const i of s.inputs) g.setEdge(`t:${i}`, `s:${s.name}`);
    for (const o of s.outputs) g.setEdge(`s:${s.name}`, `t:${o}`);
    g.setEdge(`s:${s.name}`, `t:${s.deadLetter}`, { dead: true });
  }
  dagre.layout(g);
  const { width, height } = g.graph();
  const drawing = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'pipeline graph' });
  for (const e of g.edges()) {
    const points = g.edge(e).points;
    drawing.append(svg('polyline', { points: points.map((p) => `${p.x},${p.y}`).join(' '), class: g.edge(e).dead ? 'edge dead' : 'edge' }));
  }
  for (const id of g.nodes()) {
    const n = g.node(id);
    const group = svg('g', { transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})`, class: n.kind });
    group.append(svg('rect', { width: n.width, height: n.height, rx: n.kind === 'topic' ? 16 : 6 }));
    if (n.kind === 'topic') {
      const short = n.topic.declared.replace(/^spine\./, '');
      group.append(svg('text', { x: 10, y: 15 }, short.length > 28 ? `${short.slice(0, 27)}…` : short), svg('text', { x: 10, y: 28, class: 'small' }, `${num(n.topic.records, 0)} rec · ${num(n.topic.rate)}/s`));
      if (n.topic.declared.startsWith('spine.dlq.')) group.classList.add('dlq');
    } else {
      const s = n.stage;
      group.dataset.stage = s.name;
      group.classList.toggle('lagging', s.lag > 0);
      group.classList.toggle('down', s.instances === 0);
      group.append(
        svg('text', { x: 8, y: 16, class: 'name' }, s.name),
        svg('text', { x: 8, y: 32, class: 'small' }, `lag ${num(s.lag, 0)} · ${s.instances} inst.`),
        svg('text', { x: 8, y: 46, class: 'small' }, `in ${num(s.rateIn)}/s · out ${num(s.rateOut)}/s`),
        svg('text', { x: 8, y: 59, class: 'small' }, `dlq ${num(s.deadLetterRate)}/s (${num(s.deadLetters, 0)})`),
      );
      group.addEventListener('click', () => select(s.name));
    }
    drawing.append(group);
  }
  root.querySelector('#graph').replaceChildren(drawing);
}

function drawTable(snapshot) {
  const rows = snapshot.stages.map((s) =>
    h('tr', { dataset: { stage: s.name, lag: String(s.lag) }, class: s.name === selected ? 'selected' : undefined, onclick: () => select(s.name) },
      h('td', { class: 'name' }, s.name),
      h('td', { class: 'lag num' }, num(s.lag, 0)),
      h('td', { class: 'num' }, String(s.instances)),
      h('td', { class: 'num' }, num(s.rateIn)),
      h('td', { class: 'num' }, num(s.rateOut)),
      h('td', { class: 'num' }, `${num(s.deadLetterRate)} (${num(s.deadLetters, 0)})`),
      h('td', { class: 'partitions' }, h('details', {}, h('summary', {}, `${s.partitions.length} partitions`),
        h('ul', {}, s.partitions.map((p) => h('li', { dataset: { topic: p.topic, partition: String(p.partition), lag: String(p.lag) } }, `${p.topic.split('.').slice(-2).join('.')} p${p.partition}: lag ${p.lag} (end ${p.end}, committed ${p.committed ?? '–'})`))))),
    ),
  );
  const table = h('table', { class: 'stages' },
    h('thead', {}, h('tr', {}, ['stage', 'lag', 'instances', 'in/s', 'out/s', 'dead letters/s', 'partitions'].map((c) => h('th', {}, c)))),
    h('tbody', {}, rows));
  root.querySelector('#stage-table').replaceChildren(h('p', { class: 'muted' }, `sampled ${new Date(snapshot.at).toLocaleTimeString()} every ${snapshot.intervalMs / 1000} s`), table);
}

async function select(stage) {
  selected = stage;
  await drawChart(stage);
}

async function drawChart(stage) {
  const { points } = await context.api('GET', `/v1/admin/topology/${encodeURIComponent(stage)}/history`);
  const data = [points.map((p) => p.t / 1000), points.map((p) => p.lag), points.map((p) => p.rateIn), points.map((p) => p.rateOut), points.map((p) => p.deadLetterRate)];
  chart?.destroy();
  const box = root.querySelector('#stage-chart');
  box.replaceChildren(h('h3', {}, `${stage}: lag and rates`));
  chart = lineChart(box, ['lag', 'in/s', 'out/s', 'dead letters/s'], data);
}
