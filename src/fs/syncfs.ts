import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** One request to the coprocess: a folder of the file system to flush, and who waits for the answer. */
interface Request {
  readonly dir: string;
  resolve(ok: boolean): void;
}

// Reads one folder a line and answers 0 (flushed) or 1 (not) a line, in order. `sync --file-system` is coreutils'
// syncfs(2); the loop ends when sluice's end of the pipe closes, however sluice ends. TEST-ONLY: SLUICE_TEST_SYNCFS, a
// shell command, runs instead (the folder in $1), so the power-loss suite can give its FUSE file system, which never
// sees a syncfs, the whole-file-system flush one would be.
const script = 'while IFS= read -r d; do ' +
  'if [ -n "$SLUICE_TEST_SYNCFS" ]; then sh -c "$SLUICE_TEST_SYNCFS" sh "$d" >/dev/null 2>&1; else sync --file-system -- "$d" 2>/dev/null; fi; ' +
  'if [ $? -eq 0 ]; then echo 0; else echo 1; fi; done';

/** Most requests waiting for the coprocess; beyond that callers are told no at once (and fsync instead). */
const maxWaiting = 1024;

/**
 * syncfs(2) without a process spawn per call: Node has no binding for it, and spawning `sync` from a process of sluice's
 * size costs about 2 ms of CPU (fork), while the flush itself takes a fraction of that. One long-lived `sh` coprocess
 * runs `sync --file-system` for each request instead (a fork of a small shell), asynchronously for sluice; callers that
 * arrive while a flush of the same file system runs share the next one. `flush` resolves false when syncfs could not
 * be had (no shell, the coprocess died, a folder name with a newline): the caller then fsyncs file by file.
 */
export class Syncfs {
  #child: ChildProcessByStdio<Writable, Readable, null> | null = null;
  #broken = false;
  readonly #waiting: Request[] = [];
  #answers = '';
  readonly #shared = new Map<string, { running: Promise<boolean>; next: Promise<boolean> | null }>();

  /** Flushes the file system holding `dir` (`key` names that file system); every write finished before the call is durable. */
  flush(dir: string, key: string): Promise<boolean> {
    const state = this.#shared.get(key);
    if (state === undefined) return this.#start(dir, key);
    state.next ??= state.running.then(() => this.#start(dir, key));
    return state.next;
  }

  #start(dir: string, key: string): Promise<boolean> {
    const state: { running: Promise<boolean>; next: Promise<boolean> | null } = { running: Promise.resolve(false), next: null };
    state.running = this.#ask(dir).finally(() => {
      if (this.#shared.get(key) === state) this.#shared.delete(key);
    });
    this.#shared.set(key, state);
    return state.running;
  }

  #ask(dir: string): Promise<boolean> {
    const child = this.#coprocess();
    if (child === null || dir.includes('\n') || this.#waiting.length >= maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      // A request waiting for its answer keeps sluice alive; an idle coprocess does not.
      if (this.#waiting.length === 0) setRef(child.stdout, true);
      this.#waiting.push({ dir, resolve });
      child.stdin.write(`${dir}\n`);
    });
  }

  #coprocess(): ChildProcessByStdio<Writable, Readable, null> | null {
    if (this.#child !== null || this.#broken) return this.#child;
    let child: ChildProcessByStdio<Writable, Readable, null>;
    try {
      child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    } catch {
      this.#broken = true;
      return null;
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#answer(chunk));
    const fail = () => this.#fail(child);
    child.on('error', fail).on('exit', fail);
    child.stdin.on('error', fail);
    child.unref();
    setRef(child.stdin, false);
    setRef(child.stdout, false);
    this.#child = child;
    return child;
  }

  #answer(chunk: string): void {
    this.#answers += chunk;
    for (let nl = this.#answers.indexOf('\n'); nl >= 0; nl = this.#answers.indexOf('\n')) {
      const line = this.#answers.slice(0, nl);
      this.#answers = this.#answers.slice(nl + 1);
      this.#waiting.shift()?.resolve(line === '0');
    }
    if (this.#waiting.length === 0 && this.#child) setRef(this.#child.stdout, false);
  }

  /** The coprocess is gone: every waiter is told no, and no new one is started (fsync from now on). */
  #fail(child: ChildProcessByStdio<Writable, Readable, null>): void {
    if (this.#child !== child) return;
    this.#broken = true;
    this.#child = null;
    for (const request of this.#waiting.splice(0)) request.resolve(false);
  }

  /** Ends the coprocess (it would end by itself when sluice exits). */
  close(): void {
    const child = this.#child;
    this.#child = null;
    this.#broken = true;
    child?.stdin.end();
    for (const request of this.#waiting.splice(0)) request.resolve(false);
  }
}

/** A child's stdio pipe is a net.Socket: it keeps the event loop alive only while ref'd. */
function setRef(pipe: Readable | Writable, on: boolean): void {
  const socket = pipe as unknown as { ref(): void; unref(): void };
  if (on) socket.ref();
  else socket.unref();
}
