import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Duplex } from 'node:stream';
import { abortReason } from '../core/abort.js';
import { outputFile } from './output-file.js';

export interface PipeFileTarget {
  readonly input: string;
  readonly output: string | undefined;
  readonly signal: AbortSignal;
}

/**
 * Streams `input` through `transforms` into `output` (created or truncated), with backpressure and bounded memory.
 * On abort every stream is destroyed and the promise rejects with `abortReason(signal)`; any other failure rejects
 * with the failing stream's own error (callers classify it).
 */
export async function pipeFile(target: PipeFileTarget, ...transforms: Duplex[]): Promise<void> {
  const { input, output, signal } = target;
  try {
    await pipeline([createReadStream(input), ...transforms, createWriteStream(outputFile({ output }, 'a built-in transform'))], { signal });
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    throw err;
  }
}
