import { Redis, type RedisOptions } from 'ioredis';
import { sleep } from '../core/abort.js';
import { SluiceError } from '../errors.js';

/**
 * A client for `url` (`redis://host:port/db`, `rediss://…`, or `unix:///path/redis.sock`), not yet connected: commands
 * wait while it is down (`maxRetriesPerRequest: null`, as BullMQ requires) and it reconnects by itself, at most 2 s
 * apart. An `error` listener is attached (without one a refused connection would crash the process).
 */
export function redisClient(url: string, options: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: (n) => Math.min(100 * 2 ** Math.min(n, 5), 2000), ...options,
  };
  const redis = url.startsWith('unix://') ? new Redis({ ...base, path: url.slice('unix://'.length) }) : new Redis(url, base);
  redis.on('error', () => {});
  return redis;
}

/** `url` without its password: what messages and status show. */
export function redisLabel(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Connects `redis` (made by redisClient) and checks it answers. Rejects with REDIS_UNREACHABLE (exit 1) naming the URL
 * when it cannot: at once, or with `retry`, only after `signal` aborts, trying again with backoff (1 s doubling to
 * 30 s) and telling `onRetry` before each wait.
 */
export async function connectRedis(
  redis: Redis, url: string,
  o: { retry?: boolean; signal?: AbortSignal; onRetry?: (message: string, waitMs: number) => void } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // A throwaway client per try: one that failed to connect keeps reconnecting on its own schedule.
      await probe(url);
      if (redis.status === 'wait') await redis.connect();
      await withTimeout(redis.ping(), 5000);
      return;
    } catch (err) {
      const error = unreachable(url, err);
      if (!o.retry || o.signal?.aborted) throw error;
      const waitMs = Math.min(1000 * 2 ** (attempt - 1), 30_000);
      o.onRetry?.(error.message, waitMs);
      await sleep(waitMs, { signal: o.signal }).catch(() => {
        throw error;
      });
    }
  }
}

/** Connects once (no retries) and pings, within 5 s; rejects with why not. */
async function probe(url: string): Promise<void> {
  const client = redisClient(url, { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    await withTimeout(client.connect().then(() => client.ping()), 5000);
  } finally {
    client.disconnect();
  }
}

function unreachable(url: string, cause: unknown): SluiceError {
  return new SluiceError('REDIS_UNREACHABLE',
    `cannot reach Redis at ${redisLabel(url)} (${(cause as Error).message}). Cluster mode keeps its shared state and ` +
    'queue there: start Redis, or check cluster.redis in the config (redis://host:6379/0 or unix:///path/redis.sock).',
    { kind: 'fatal', cause, context: { url: redisLabel(url) } });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
