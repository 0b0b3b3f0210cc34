// The console's page: a hash router over four views, the admin API (cookie session + CSRF header) and live SSE updates.
import * as topology from './topology.js';
import * as deadLetters from './dead-letters.js';
import * as models from './models.js';
import * as deliveries from './deliveries.js';

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
const views = { topology, 'dead-letters': deadLetters, models, deliveries };

/** What every view gets: the API, the confirmation dialog, whether the operator may act. */
export const consoleContext = {
  canAct: meta('spine-can-act') === 'true',
  async api(method, path, body) {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'x-csrf-token': meta('csrf-token') }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401) location.reload();
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new Error(json?.message ?? `${method} ${path} answered ${response.status}`);
    return json;
  },
  confirm(text) {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-text').textContent = text;
    dialog.showModal();
    return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
  },
};

/** Element helper: h('td', { class: 'x', dataset: { stage: 'a' } }, 'text', child). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** 1234.5 → "1,234.5" with at most `digits` decimals. */
export const num = (value, digits = 1) => (value === null || value === undefined ? '–' : Number(value).toLocaleString('en', { maximumFractionDigits: digits }));

let current;
const root = document.getElementById('view');
const latest = {};

function route() {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'topology';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  current?.leave?.();
  current = views[name];
  root.replaceChildren();
  root.dataset.view = name;
  current.enter(root, consoleContext, latest);
}

const live = document.getElementById('live');
function connect() {
  const source = new EventSource('/v1/admin/events', { withCredentials: true });
  source.onopen = () => live.classList.add('on');
  source.onerror = () => live.classList.remove('on');
  // Logged out elsewhere, expired or the key revoked: back to the log-in form instead of reconnecting for ever.
  source.addEventListener('session-ended', () => {
    source.close();
    location.assign('/console');
  });
  for (const event of ['topology', 'dead-letters', 'models', 'model-metrics']) {
    source.addEventListener(event, (message) => {
      latest[event] = JSON.parse(message.data);
      current?.update?.(event, latest[event]);
    });
  }
}

window.addEventListener('hashchange', route);
route();
connect();
