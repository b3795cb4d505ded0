import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SluiceError } from '../errors.js';

/** The longest line LineReplacer will hold while waiting for its newline: 16 Mi UTF-16 code units. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * A Transform applying `line.replace(pattern, replacement)` to each line of UTF-8 text, streaming. Lines are split on
 * '\n', which is never part of the text matched (so a match cannot span lines, and a '\r' before it stays in the
 * line); the output has exactly the input's newlines, and the empty rest after a final '\n' is not a line (so `^`
 * does not match there). Multibyte characters split across chunks are decoded safely.
 * Memory is bounded by the longest line: one longer than `maxLineChars` fails the stream with a permanent
 * INPUT_TOO_LARGE error. Invalid UTF-8 is replaced with U+FFFD.
 */
export class LineReplacer extends Transform {
  readonly #decoder = new StringDecoder('utf8');
  readonly #pattern: RegExp;
  readonly #replacement: string;
  readonly #maxLineChars: number;
  /** The text after the last '\n' seen so far: the start of a line whose end has not arrived. */
  #partial = '';

  constructor(pattern: RegExp, replacement: string, maxLineChars = MAX_LINE_CHARS) {
    super();
    this.#pattern = pattern;
    this.#replacement = replacement;
    this.#maxLineChars = maxLineChars;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#partial + this.#decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      this.#partial = text;
      callback(text.length > this.#maxLineChars ? this.#tooLong() : null);
      return;
    }
    this.#partial = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n');
    callback(null, `${lines.map((line) => this.#replace(line)).join('\n')}\n`);
  }

  override _flush(callback: TransformCallback): void {
    const last = this.#partial + this.#decoder.end();
    this.#partial = '';
    callback(null, last === '' ? undefined : this.#replace(last));
  }

  #replace(line: string): string {
    // A sticky or global regex carries lastIndex between calls; every line starts from 0.
    this.#pattern.lastIndex = 0;
    return line.replace(this.#pattern, this.#replacement);
  }

  #tooLong(): SluiceError {
    return new SluiceError('INPUT_TOO_LARGE', `a line is longer than ${this.#maxLineChars} characters`, {
      kind: 'permanent',
      context: { maxLineChars: this.#maxLineChars },
    });
  }
}
