/**
 * The browser globals the page callbacks of the console tests use (they run in Chromium, not in Node). Declared here,
 * narrowly, instead of `lib.dom`, which would retype `fetch` and `Buffer` bodies for every other test.
 */
export interface BrowserElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  getBoundingClientRect(): { readonly width: number };
}
declare global {
  const document: { querySelector(selector: string): BrowserElement | null; querySelectorAll(selector: string): ArrayLike<BrowserElement> };
  const window: { readonly innerWidth: number };
}
