import { SluiceError } from '../errors.js';

/**
 * The file a one-file transform writes. Undefined only as the last stage of a folder-output pipeline, which config
 * load refuses for transforms that do not fill folders: reaching it here is a bug, reported as a permanent error.
 */
export function outputFile(ctx: { readonly output: string | undefined }, transform: string): string {
  if (ctx.output !== undefined) return ctx.output;
  throw new SluiceError('OUTPUT_INVALID', `${transform} writes one file and cannot fill a folder output`, { kind: 'permanent' });
}
