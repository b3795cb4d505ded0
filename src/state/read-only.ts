import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { MemoryStore } from './memory-store.js';
import { connectRedis, redisClient, redisLabel } from './redis-connection.js';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { StateStore } from './store.js';

/**
 * The state store for reading beside (or without) a running instance: no instance lock taken, nothing created; an
 * empty store when there is no state database yet. In cluster mode, the shared store in Redis (REDIS_UNREACHABLE,
 * exit 1, when it does not answer).
 */
export async function openStoreReadOnly(config: ResolvedConfig): Promise<StateStore> {
  if (config.cluster) return openSharedStore(config);
  if (!fs.existsSync(path.join(config.stateDir, 'state.db'))) return new MemoryStore();
  return new SqliteStore(config.stateDir, { readonly: true });
}

/** The cluster's shared store, connected (an operator command: it fails at once when Redis does not answer). */
export async function openSharedStore(config: ResolvedConfig): Promise<RedisStore> {
  const { redis, prefix } = config.cluster!;
  const client = redisClient(redis, { retryStrategy: () => null });
  try {
    await connectRedis(client, redis);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return new RedisStore(redisLabel(redis), prefix, { client });
}
