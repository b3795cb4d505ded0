import { Worker, type ResourceLimits } from 'node:worker_threads';
import { Semaphore } from './semaphore.js';

/**
 * A fixed pool of worker threads, each running one request at a time to completion. It exists for work that is cheaper
 * as a few synchronous calls on another thread than as a dozen round trips through libuv's thread pool (a small file:
 * open, read, compress, write, fsync, close). Requests wait their turn in FIFO order; the wait is bounded by the callers'
 * own concurrency (the stages' worker pools). Workers start on first use and keep the process alive only while busy.
 * A worker that crashes or exits is replaced by the next request. Lifecycle: close() once, idempotent.
 */
export class SyncPool<Req, Res> {
  readonly #script: URL;
  readonly #limits: ResourceLimits | undefined;
  readonly #slots: Semaphore;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();
  #closing: Promise<void> | null = null;

  /** `limits` caps each worker's heaps (a small young generation frees the buffers of finished requests sooner). */
  constructor(script: URL, size: number, limits?: ResourceLimits) {
    this.#script = script;
    this.#limits = limits;
    this.#slots = new Semaphore(size);
  }

  /**
   * Runs `request` on an idle worker (waiting for one if all are busy) and resolves with its reply. The signal cuts
   * the wait short; a request that has started runs to its end, so requests must be short.
   */
  async run(request: Req, options: { signal?: AbortSignal } = {}): Promise<Res> {
    if (this.#closing) throw new Error('SyncPool is closed');
    const release = await this.#slots.acquire(options);
    if (this.#closing) {
      release();
      throw new Error('SyncPool is closed');
    }
    const worker = this.#idle.pop() ?? this.#spawn();
    let healthy = false;
    try {
      worker.ref();
      const reply = await call<Res>(worker, request);
      healthy = true;
      return reply;
    } finally {
      worker.unref();
      if (healthy && !this.#closing) this.#idle.push(worker);
      else void this.#discard(worker);
      release();
    }
  }

  /** Starts every worker now rather than on first use (a first request then waits for no thread to boot). */
  warm(): void {
    if (this.#closing) return;
    while (this.#all.size < this.#slots.permits) this.#idle.push(this.#spawn());
  }

  /** Stops every worker; requests in flight reject. Returns the same promise on every call. */
  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#all].map((w) => this.#discard(w))).then(() => {});
    return this.#closing;
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script, { resourceLimits: this.#limits });
    worker.unref();
    this.#all.add(worker);
    return worker;
  }

  async #discard(worker: Worker): Promise<void> {
    this.#all.delete(worker);
    await worker.terminate();
  }
}

/** Posts one request and waits for the reply, the worker's error, or its exit, whichever comes first. */
function call<Res>(worker: Worker, request: unknown): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: Res) => {
      done();
      resolve(reply);
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`worker thread exited with code ${code} before replying`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}
