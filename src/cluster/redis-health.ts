import type { Redis } from 'ioredis';
import { ExitCode, SluiceError } from '../errors.js';

/** What cluster mode needs to know of its Redis: for the start-up guards and `sluice status`. */
export interface RedisHealth {
  readonly version: string;
  readonly maxmemoryPolicy: string;
  readonly aof: boolean;
  readonly usedMemoryBytes: number;
}

/** Reads version, memory, the eviction policy and whether AOF is on (INFO and CONFIG GET, one round trip each). */
export async function redisHealth(redis: Redis): Promise<RedisHealth> {
  const info = parseInfo(await redis.info());
  const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
  return {
    version: info.get('redis_version') ?? '0',
    maxmemoryPolicy: policy[1] ?? 'unknown',
    aof: info.get('aof_enabled') === '1',
    usedMemoryBytes: Number(info.get('used_memory') ?? 0),
  };
}

/** The oldest Redis cluster mode runs on (BullMQ warns below it; its scripts need it). */
export const minimumRedis = '6.2.0';

/**
 * The start-up guards of cluster mode: refuses (exit 2) a Redis older than 6.2 or one that may evict keys (only
 * `noeviction` keeps every job, lease and record); returns the warnings to log (AOF off: a Redis restart loses the
 * state, which the next scans rebuild by processing again whatever was not disposed of).
 */
export function checkRedis(health: RedisHealth, url: string): string[] {
  if (compareVersions(health.version, minimumRedis) < 0) {
    throw new SluiceError('REDIS_UNSUITABLE', `Redis at ${url} is version ${health.version}; cluster mode needs ${minimumRedis} or newer.`,
      { exitCode: ExitCode.usage, context: { url, version: health.version } });
  }
  if (health.maxmemoryPolicy !== 'noeviction') {
    throw new SluiceError('REDIS_UNSUITABLE',
      `Redis at ${url} has maxmemory-policy ${health.maxmemoryPolicy}: it may evict jobs, leases and records under memory ` +
      'pressure. Set `maxmemory-policy noeviction` (redis.conf, or CONFIG SET) for cluster mode.',
      { exitCode: ExitCode.usage, context: { url, policy: health.maxmemoryPolicy } });
  }
  return health.aof ? [] : [`Redis at ${url} runs without AOF (appendonly no): a Redis restart loses the shared state, and ` +
    'inputs not yet disposed of are processed again. Turn on `appendonly yes` with `appendfsync everysec`.'];
}

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b` (dotted numbers). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return Math.sign(d);
  }
  return 0;
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}
