import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { defineOptions } from '../options.js';
import { pipeFile } from '../pipe-file.js';
import { smallFile } from '../small-file.js';
import type { TransformDefinition } from '../types.js';

const schema = z.strictObject({
  /** Compression level, 0 (store) to 9 (smallest). @default 6 */
  level: z.number().int().min(0).max(9).default(6),
});

export type GzipOptions = z.output<typeof schema>;

/** `gzip`: compresses the input into a single gzip member (small inputs whole on a worker thread, others streaming). */
export const gzip: TransformDefinition<GzipOptions> = {
  name: 'gzip',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    return (await smallFile('gzip', ctx, ctx.options.level)) ?? pipeFile(ctx, createGzip({ level: ctx.options.level }));
  },
};
