import type { z } from 'zod';

/** `['pipelines', 0, 'input', 'dir']` → `pipelines[0].input.dir`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let here: unknown = data;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per zod issue: the key path, what is expected, and what was found. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  return issues.map((issue) => {
    const at = keyPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.map((k) => keyPath([...issue.path, k]));
      return `${names.join(', ')}: unknown key${names.length > 1 ? 's' : ''} (check the spelling; see the config reference)`;
    }
    const value = valueAt(data, issue.path);
    const message = issue.message.replace(/^Invalid input: /, '');
    if (value === undefined) return `${at}: ${message}, but it is missing`;
    return `${at}: ${message}, got ${shown(value)}`;
  });
}
