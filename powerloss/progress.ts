/** What a running sluice has processed so far, read incrementally from its JSON log lines (stderr). */
import type { SluiceProcess } from '../test/helpers/process.js';

export class Progress {
  readonly #proc: SluiceProcess;
  #offset = 0;
  #count = 0;
  #lastChange = Date.now();
  #length = 0;
  readonly #paths = new Set<string>();

  constructor(proc: SluiceProcess) {
    this.#proc = proc;
  }

  /** "processed" lines so far (an input processed twice counts twice). */
  get count(): number {
    this.#read();
    return this.#count;
  }

  /** The relative paths the lines named. */
  get paths(): ReadonlySet<string> {
    this.#read();
    return this.#paths;
  }

  /** Milliseconds since stderr last grew. */
  get quietMs(): number {
    this.#read();
    return Date.now() - this.#lastChange;
  }

  #read(): void {
    const text = this.#proc.stderr;
    if (text.length !== this.#length) {
      this.#length = text.length;
      this.#lastChange = Date.now();
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end <= this.#offset) return;
    for (const line of text.slice(this.#offset, end).split('\n')) {
      if (!line.includes('"processed')) continue;
      try {
        const parsed = JSON.parse(line) as { message?: string; path?: string };
        if (!parsed.message?.startsWith('processed')) continue;
        this.#count += 1;
        if (parsed.path) this.#paths.add(parsed.path);
      } catch {
        // Not a JSON log line.
      }
    }
    this.#offset = end;
  }
}
