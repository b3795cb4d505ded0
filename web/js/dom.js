// DOM building without HTML parsing: every string becomes a text node, so names, paths and messages can never run as
// markup. The page's CSP forbids inline styles too; this module refuses a `style` attribute (use a class or el.style).

/**
 * Creates an element. `attrs` values are set with setAttribute (null/undefined/false leave one out, true sets it
 * empty), except `class` (a string or an array of class names) and `on<event>` (a listener). `children` are nodes,
 * strings (text nodes) or null/undefined/false (skipped), nested arrays allowed.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

const svgNs = 'http://www.w3.org/2000/svg';

/** Like h() for an SVG element. @returns {SVGElement} */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(svgNs, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'style') throw new Error('no style attributes under the CSP: use a class or el.style');
    if (name === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value));
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces the children of `container`. When focus was on an element inside it that has a `data-key`, the new
 * element with the same key gets the focus back (live re-rendering must not throw a keyboard user out).
 * @param {Element} container
 * @param {...unknown} children as for h()
 */
export function replace(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  container.replaceChildren(fragment);
  if (key === null) return;
  const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (again instanceof HTMLElement) again.focus({ preventScroll: true });
}

/** The element with this id (the page's fixed skeleton); throws when index.html lacks it. @returns {HTMLElement} */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}
