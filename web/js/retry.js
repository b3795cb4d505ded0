// Retrying failures through POST /api/retry: one file, or every failure a filter shows after one confirmation.
import { postJson } from './api.js';
import { h } from './dom.js';
import { count } from './format.js';

/** The confirmation <dialog>, made on first use: read-only pages hold no action control at all. */
function dialogElement() {
  const made = document.getElementById('confirm');
  if (made instanceof HTMLDialogElement) return made;
  const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-title' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, 'Retry failures?'),
      h('p', { class: 'confirm-text' }),
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', value: 'cancel' }, 'Cancel'),
        h('button', { type: 'submit', value: 'yes', class: 'confirm-yes' }, 'Retry')))));
  document.querySelector('main')?.append(dialog);
  return dialog;
}

/**
 * Asks once in a modal <dialog>; resolves true when the user chose the confirming button (text `yes`), false on
 * Cancel or Escape.
 * @param {string} question @param {string} yes
 */
function confirmDialog(question, yes) {
  const dialog = dialogElement();
  dialog.querySelector('.confirm-text').textContent = question;
  dialog.querySelector('.confirm-yes').textContent = yes;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}

/**
 * Retries `items` ({ pipeline, path }[]) or every failure matching `filter` ({ q, pipeline? }); resolves with a
 * sentence for the page: how many went back, and each skipped one with its reason.
 * @param {{ items: any[] } | { filter: any }} body @param {string | null} csrf
 */
export async function retry(body, csrf) {
  const reply = await postJson('/api/retry', body, csrf);
  const skipped = reply.skipped ?? [];
  const parts = [`Retried ${count(reply.retried)} ${reply.retried === 1 ? 'file' : 'files'}.`];
  if (skipped.length > 0) {
    const list = skipped.slice(0, 5).map((s) => `${s.path}: ${s.reason}`).join('; ');
    parts.push(`Skipped ${count(skipped.length)}: ${list}${skipped.length > 5 ? '; …' : ''}`);
  }
  return parts.join(' ');
}

/**
 * The request body for "Retry all shown": the page's own items when every match is on it (exactly what the user
 * sees), otherwise the filter (the daemon pages through every match).
 */
function retryAllBody(data, filter) {
  if (data.pages <= 1) return { items: data.items.map((f) => ({ pipeline: f.pipeline, path: f.path })) };
  return { filter: { q: filter } };
}

/**
 * The failures page's Retry handlers. `o.filter()` is the filter shown, `o.csrf()` the latest token; the outcome (or
 * the refusal) is written to `o.message`, then `o.done()` reloads the list.
 * @param {{ filter: () => string, csrf: () => string | null, message: HTMLElement, done: () => void }} o
 */
export function retryActions(o) {
  const act = async (body) => {
    o.message.textContent = 'Retrying…';
    try {
      o.message.textContent = await retry(body, o.csrf());
    } catch (err) {
      o.message.textContent = `Retry refused: ${err.message}`;
    }
    o.done();
  };
  return {
    retryOne: (f) => void act({ items: [{ pipeline: f.pipeline, path: f.path }] }),
    async retryAll(data) {
      const filter = o.filter();
      const n = count(data.total);
      const which = filter ? `whose path contains “${filter}”` : 'listed';
      const question = `Retry all ${n} failures ${which}? Each goes back to its input folder and is processed again.`;
      if (await confirmDialog(question, `Retry ${n}`)) await act(retryAllBody(data, filter));
    },
  };
}
