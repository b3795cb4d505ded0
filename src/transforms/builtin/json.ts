import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SluiceError, describe } from '../../errors.js';
import { abortReason } from '../../core/abort.js';
import { jsonErrorPosition } from '../json-error-position.js';
import { outputFile } from '../output-file.js';
import { defineOptions } from '../options.js';
import type { TransformContext, TransformDefinition } from '../types.js';

const MiB = 1024 * 1024;

const schema = z.strictObject({
  /** Spaces per nesting level; 0 minifies. @default 2 */
  indent: z.number().int().min(0).max(10).default(2),
  /** Largest input accepted, in bytes (at most 512 MiB). @default 268435456 (256 MiB) */
  maxBytes: z.number().int().positive().max(512 * MiB).default(256 * MiB),
});

export type JsonOptions = z.output<typeof schema>;

/**
 * `json`: parses one JSON value and writes it re-serialised with `indent`, ending with a newline. Unlike the other
 * built-ins it holds the document in memory (parsing needs all of it), so input over `maxBytes` fails permanently
 * with INPUT_TOO_LARGE before it is all read. Input that is not UTF-8 JSON fails permanently with INPUT_INVALID,
 * naming the line and column. A UTF-8 BOM is skipped. Values round-trip as JSON.parse/JSON.stringify have them:
 * numbers are doubles, a duplicated key keeps its last value.
 */
export const json: TransformDefinition<JsonOptions> = {
  name: 'json',
  parseOptions: defineOptions(schema),
  async run(ctx) {
    const text = decode(ctx, await readBounded(ctx));
    const value = parse(ctx, text);
    let out: string;
    try {
      out = `${JSON.stringify(value, null, ctx.options.indent)}\n`;
    } catch (err) {
      throw failure(ctx, 'INPUT_TOO_LARGE', `re-serialised it is too large for a string: ${describe(err)}`, err);
    }
    try {
      await writeFile(outputFile(ctx, 'json'), out, { signal: ctx.signal });
    } catch (err) {
      throw ctx.signal.aborted ? abortReason(ctx.signal) : err;
    }
  },
};

async function readBounded(ctx: TransformContext<JsonOptions>): Promise<Buffer> {
  const { maxBytes } = ctx.options;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of createReadStream(ctx.input, { signal: ctx.signal }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw failure(ctx, 'INPUT_TOO_LARGE', `is larger than maxBytes (${maxBytes} bytes)`);
      chunks.push(chunk);
    }
  } catch (err) {
    throw ctx.signal.aborted ? abortReason(ctx.signal) : err;
  }
  return Buffer.concat(chunks, size);
}

function decode(ctx: TransformContext<JsonOptions>, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    const problem = err instanceof RangeError ? 'is too large to decode' : 'is not valid UTF-8';
    throw failure(ctx, err instanceof RangeError ? 'INPUT_TOO_LARGE' : 'INPUT_INVALID', problem, err);
  }
}

function parse(ctx: TransformContext<JsonOptions>, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text);
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column} (offset ${at.offset})`;
    throw failure(ctx, 'INPUT_INVALID', `is not valid JSON${where}: ${describe(err)}`, err, { position: at });
  }
}

function failure(
  ctx: TransformContext<JsonOptions>,
  code: string,
  problem: string,
  cause?: unknown,
  context: Record<string, unknown> = {},
): SluiceError {
  return new SluiceError(code, `${ctx.input} ${problem}`, {
    kind: 'permanent',
    cause,
    context: { path: ctx.input, transform: 'json', ...context },
  });
}
