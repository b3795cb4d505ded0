import { z } from 'zod';
import type { OptionIssue, OptionsResult } from './types.js';

/**
 * Builds a transform's `parseOptions` from a zod schema (make it a `z.strictObject` so unknown keys are refused).
 * An absent `with` (undefined, or null from an empty `with:` in YAML) is parsed as `{}`, so defaults apply. Never
 * throws: every violation comes back as an OptionIssue, all of them at once.
 */
export function defineOptions<S extends z.ZodType>(schema: S): (raw: unknown) => OptionsResult<z.output<S>> {
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape as object) : undefined;
  return (raw) => {
    const result = schema.safeParse(raw ?? {});
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, issues: toOptionIssues(result.error, known) };
  };
}

/**
 * Converts zod issues to OptionIssues (paths relative to `with`). An unknown key becomes one issue per key whose path
 * names the key; `known` (the top-level option names) is listed in its message when given.
 */
export function toOptionIssues(error: z.ZodError, known?: readonly string[]): OptionIssue[] {
  const issues: OptionIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    if (issue.code !== 'unrecognized_keys') {
      issues.push({ path, message: issue.message });
      continue;
    }
    const hint =
      path.length > 0 || known === undefined
        ? ''
        : known.length === 0
          ? '; this transform takes no options'
          : `; known options: ${known.join(', ')}`;
    for (const key of issue.keys) issues.push({ path: [...path, key], message: `unknown option "${key}"${hint}` });
  }
  return issues;
}
