import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { SluiceError, describe } from '../../errors.js';
import { defineOptions } from '../options.js';
import { pipeFile } from '../pipe-file.js';
import { smallFile } from '../small-file.js';
import type { TransformDefinition } from '../types.js';

const schema = z.strictObject({});

export type GunzipOptions = z.output<typeof schema>;

/**
 * `gunzip`: decompresses gzip input (small inputs whole on a worker thread, others streaming). Takes no options. Input that is not valid gzip (bad header, corrupt
 * or truncated data, empty file) fails permanently with code INPUT_INVALID: another attempt cannot help.
 */
export const gunzip: TransformDefinition<GunzipOptions> = {
  name: 'gunzip',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    try {
      return (await smallFile('gunzip', ctx)) ?? (await pipeFile(ctx, createGunzip()));
    } catch (err) {
      if (!isZlibError(err)) throw err;
      throw new SluiceError('INPUT_INVALID', `${ctx.input} is not valid gzip data: ${describe(err)}`, {
        kind: 'permanent',
        cause: err,
        context: { path: ctx.input, transform: 'gunzip' },
      });
    }
  },
};

/** zlib reports bad data with codes such as Z_DATA_ERROR and Z_BUF_ERROR (truncated input). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
