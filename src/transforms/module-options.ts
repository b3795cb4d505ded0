import { describe } from '../errors.js';
import type { OptionIssue, OptionsResult } from './types.js';

type Hook = (raw: unknown) => unknown;

/**
 * A module transform's `parseOptions`, adapted from what the module offers (looked up in this order on the default
 * export, then as named exports):
 * - `parseOptions(raw)` returning `{ ok: true, value }` or `{ ok: false, issues: [{ path, message }] }`;
 * - `validate(options)`, given the raw `with` (or `{}` when absent): returning nothing or `true` accepts the options
 *   unchanged; `false`, a message or an array of messages refuses them; throwing refuses with the thrown message;
 * - neither: the raw `with` (or `{}`) passes through unchanged.
 * The result never throws, whatever the module does; anything malformed becomes an issue naming the hook.
 */
export function moduleOptionsParser(hook: {
  parseOptions?: Hook;
  validate?: Hook;
}): (raw: unknown) => OptionsResult<unknown> {
  const { parseOptions, validate } = hook;
  if (parseOptions !== undefined) return (raw) => guarded('parseOptions', () => checkResult(parseOptions(raw)));
  if (validate !== undefined) return (raw) => guarded('validate', () => validated(raw ?? {}, validate(raw ?? {})));
  return (raw) => ({ ok: true, value: raw ?? {} });
}

function guarded(hook: string, parse: () => OptionsResult<unknown>): OptionsResult<unknown> {
  try {
    return parse();
  } catch (err) {
    return refuse([`${hook}() refused the options: ${describe(err)}`]);
  }
}

function refuse(messages: readonly string[]): OptionsResult<unknown> {
  return { ok: false, issues: messages.map((message) => ({ path: [], message })) };
}

function checkResult(result: unknown): OptionsResult<unknown> {
  const r = result as { ok?: unknown; value?: unknown; issues?: unknown } | null;
  if (r?.ok === true) return { ok: true, value: r.value };
  if (r?.ok === false && Array.isArray(r.issues) && r.issues.length > 0) {
    return { ok: false, issues: r.issues.map(toIssue) };
  }
  return refuse(['parseOptions() must return { ok: true, value } or { ok: false, issues: [{ path, message }] }']);
}

function toIssue(issue: unknown): OptionIssue {
  if (typeof issue === 'string') return { path: [], message: issue };
  const { path, message } = (issue ?? {}) as { path?: unknown; message?: unknown };
  const validPath = Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number');
  return {
    path: validPath ? (path as (string | number)[]) : [],
    message: typeof message === 'string' ? message : describe(issue),
  };
}

function validated(options: unknown, verdict: unknown): OptionsResult<unknown> {
  if (verdict === undefined || verdict === null || verdict === true) return { ok: true, value: options };
  if (verdict === false) return refuse(['validate() refused the options']);
  if (typeof verdict === 'string') return refuse([verdict]);
  if (Array.isArray(verdict) && verdict.length === 0) return { ok: true, value: options };
  if (Array.isArray(verdict)) return { ok: false, issues: verdict.map(toIssue) };
  if (typeof (verdict as { then?: unknown }).then === 'function') return refuse(['validate() must be synchronous']);
  return refuse([`validate() returned ${describe(verdict)}; expected nothing, true, false or messages`]);
}
