import { h } from './dom.js';
import { fileHref } from './router.js';

/** A link to a file's detail view, its text the path exactly as given (textContent: any name is shown, none runs). */
export function fileLink(pipeline, path) {
  return h('a', { class: 'file', href: fileHref(pipeline, path), 'data-key': `file:${pipeline ?? ''}:${path}` }, path);
}
