import { z } from 'zod';
import { defineOptions } from '../options.js';
import { pipeFile } from '../pipe-file.js';
import type { TransformDefinition } from '../types.js';

const schema = z.strictObject({});

export type CopyOptions = z.output<typeof schema>;

/** `copy`: writes the input unchanged, streaming. Takes no options (`with` absent or `{}`). */
export const copy: TransformDefinition<CopyOptions> = {
  name: 'copy',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    await pipeFile(ctx);
  },
};
