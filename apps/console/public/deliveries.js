// Deliveries: webhook subscriptions with success rate, latency, backlog, and their dead letters.
import { h, num } from './app.js';

let root;
let context;
let timer;

export function enter(element, ctx) {
  root = element;
  context = ctx;
  root.append(h('h2', {}, 'Deliveries'), h('div', { id: 'deliveries' }), h('div', { id: 'delivery-dead' }));
  void load();
  timer = setInterval(load, 5000);
}

export function leave() {
  clearInterval(timer);
}

async function load() {
  const { subscriptions, metrics } = await context.api('GET', '/v1/admin/deliveries');
  const rows = subscriptions.map((s) => h('tr', { dataset: { subscription: s.id } },
    h('td', {}, h('div', {}, s.description ?? ''), h('code', { class: 'url' }, s.url)),
    h('td', {}, s.enabled ? 'enabled' : 'disabled'),
    h('td', { class: 'num' }, s.successRate === null ? '–' : `${num(s.successRate * 100)} %`),
    h('td', { class: 'num' }, s.meanLatencySeconds === null ? '–' : `${num(s.meanLatencySeconds * 1000, 0)} ms`),
    h('td', { class: 'num backlog' }, num(s.backlog, 0)),
    h('td', { class: 'num' }, s.dead ? h('button', { class: 'link', onclick: () => showDead(s) }, num(s.dead, 0)) : '0')));
  root.querySelector('#deliveries').replaceChildren(
    metrics ? h('p', { class: 'muted' }, `success rate and latency unavailable: ${metrics}`) : '',
    subscriptions.length
      ? h('table', {}, h('thead', {}, h('tr', {}, ['subscription', 'state', 'success', 'latency', 'backlog', 'dead letters'].map((c) => h('th', {}, c)))), h('tbody', {}, rows))
      : h('p', { class: 'muted' }, 'no webhook subscriptions yet (spine-cli webhooks create --url ...)'));
}

async function showDead(subscription) {
  const { deadLetters } = await context.api('GET', `/v1/admin/deliveries/${subscription.id}/dead-letters`);
  const box = root.querySelector('#delivery-dead');
  box.replaceChildren(h('h3', {}, `dead letters of ${subscription.url}`),
    context.canAct ? h('button', { onclick: async () => { if (await context.confirm(`Make all ${deadLetters.length} dead deliveries of ${subscription.url} due again?`)) { await context.api('POST', `/v1/admin/deliveries/${subscription.id}/redrive`, {}); await load(); box.replaceChildren(); } } }, 'Re-drive all') : '',
    h('table', {}, h('thead', {}, h('tr', {}, ['event', 'attempts', 'last status', 'last error', 'dead since'].map((c) => h('th', {}, c)))),
      h('tbody', {}, deadLetters.map((d) => h('tr', {}, h('td', {}, h('code', {}, d.eventId)), h('td', { class: 'num' }, String(d.attempts)), h('td', { class: 'num' }, String(d.lastStatus ?? '–')), h('td', {}, d.lastError ?? ''), h('td', {}, new Date(d.deadAt).toLocaleString()))))));
}
