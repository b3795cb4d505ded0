import { z } from 'zod';
import { describe } from '../../errors.js';
import { LineReplacer } from '../line-replacer.js';
import { defineOptions } from '../options.js';
import { pipeFile } from '../pipe-file.js';
import type { TransformDefinition } from '../types.js';

const schema = z
  .strictObject({
    /** A JavaScript regular expression source, e.g. `"\\bfoo(\\d+)"`. Required. */
    pattern: z.string(),
    /** The replacement; `$1`, `$<name>`, `$&` and `$$` work as in String.prototype.replace. @default '' */
    replacement: z.string().default(''),
    /** Regex flags from `dgimsuvy`, each at most once, not both u and v. @default 'g' */
    flags: z.string().default('g'),
  })
  .check((ctx) => {
    const { pattern, flags } = ctx.value;
    if (compileProblem('', flags) !== undefined) {
      const message = 'not valid regex flags: use d, g, i, m, s, u, v or y, each at most once, not both u and v';
      ctx.issues.push({ code: 'custom', input: flags, path: ['flags'], message });
      return;
    }
    const problem = compileProblem(pattern, flags);
    if (problem !== undefined) ctx.issues.push({ code: 'custom', input: pattern, path: ['pattern'], message: problem });
  });

export type ReplaceOptions = z.output<typeof schema>;

function compileProblem(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (err) {
    return `not a valid regular expression: ${describe(err)}`;
  }
}

/**
 * `replace`: a regex search and replace over UTF-8 text, streaming line by line (see LineReplacer). Limitation: a
 * match cannot span a newline, since each line is matched on its own; without the `g` flag only the first match in
 * each line is replaced. Lines must fit in memory (at most MAX_LINE_CHARS), which text files do in practice.
 */
export const replace: TransformDefinition<ReplaceOptions> = {
  name: 'replace',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    const { pattern, flags, replacement } = ctx.options;
    await pipeFile(ctx, new LineReplacer(new RegExp(pattern, flags), replacement));
  },
};
