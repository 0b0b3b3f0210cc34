/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The Content-Security-Policy of every console page: nothing inline, nothing from elsewhere. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every console response carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const head = (title: string, extra = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/console/assets/console.css">${extra}</head>`;

/** The log-in page: a form posting an operator key; no data of the pipeline. */
export function loginPage(message?: string): string {
  return `${head('Spine console: log in')}
<body class="login"><main><h1>Spine console</h1>
<form method="post" action="/console/login" autocomplete="off">
<label for="key">Operator key (scope operator:read or operator:act)</label>
<input id="key" name="key" type="password" required autofocus>
<button type="submit">Log in</button>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
</form></main></body></html>`;
}

/** The console's shell: the views are drawn by /console/assets/app.js from the admin API; the CSRF token is in a meta tag. */
export function consolePage(options: { csrfToken: string; operator: string; canAct: boolean }): string {
  return `${head('Spine console', `
<meta name="csrf-token" content="${escapeHtml(options.csrfToken)}">
<meta name="spine-operator" content="${escapeHtml(options.operator)}">
<meta name="spine-can-act" content="${options.canAct ? 'true' : 'false'}">
<link rel="stylesheet" href="/console/vendor/uPlot.min.css">
<script type="module" src="/console/assets/app.js"></script>`)}
<body>
<header><h1>Spine console</h1>
<nav aria-label="views"><a href="#topology" data-view="topology">Topology</a><a href="#dead-letters" data-view="dead-letters">Dead letters</a><a href="#models" data-view="models">Models</a><a href="#deliveries" data-view="deliveries">Deliveries</a></nav>
<div class="who"><span id="operator">${escapeHtml(options.operator)}</span> <span class="role">${options.canAct ? 'operate' : 'read-only'}</span>
<form method="post" action="/console/logout" id="logout"><button type="submit">Log out</button></form></div>
<span id="live" class="live" title="live updates">●</span></header>
<main id="view" aria-live="polite"></main>
<dialog id="confirm"><form method="dialog"><p id="confirm-text"></p><menu><button value="cancel">Cancel</button><button value="ok" id="confirm-ok">Confirm</button></menu></form></dialog>
</body></html>`;
}
