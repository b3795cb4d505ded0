import { z } from 'zod';
import { defineOptions } from '../options.js';
import { pipeFile } from '../pipe-file.js';
import { smallFile } from '../small-file.js';
import type { TransformDefinition } from '../types.js';

const schema = z.strictObject({});

export type CopyOptions = z.output<typeof schema>;

/** `copy`: writes the input unchanged (small inputs whole on a worker thread, others streaming). Takes no options (`with` absent or `{}`). */
export const copy: TransformDefinition<CopyOptions> = {
  name: 'copy',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    return (await smallFile('copy', ctx)) ?? pipeFile(ctx);
  },
};
