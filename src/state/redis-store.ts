import type { Redis, RedisOptions } from 'ioredis';
import { redisClient } from './redis-connection.js';
import { SluiceError } from '../errors.js';
import { deleteScript, putScript } from './redis-scripts.js';
import type { AppendIntent, FileRecord, Finish, InputKey, PipelineCounts, StateStore } from './store.js';

/** Most keys read per SSCAN / HSCAN step of the pending lists. */
const scanCount = 500;
/** Most failed records read for one failures() call (a set has no order: newest first is sorted here). */
const maxFailuresRead = 20_000;

/**
 * A StateStore on Redis (the shared store of cluster mode; see redis-scripts.ts for the layout). Each writing call is
 * one atomic script or MULTI, so it is all or none. Durable as the Redis server is configured: with AOF and
 * `appendfsync always` when the call resolves, with `everysec` within about a second (the cluster design accepts
 * that: work not recorded is redone, idempotently). While Redis is unreachable, calls wait for it to come back (the
 * client reconnects by itself); a command Redis refuses (out of memory, a script error) rejects with the fatal
 * STATE_FAILED, as a SQLite failure does.
 */
export class RedisStore implements StateStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #url: string;
  #closing: Promise<void> | null = null;

  /**
   * `url`: `redis://host:port/db` or `unix:///path/to/redis.sock` (a client of its own), or a client to use (closed
   * with the store); `url` names the server in messages then.
   */
  constructor(url: string, prefix = 'sluice', options: RedisOptions | { client: Redis } = {}) {
    this.#url = url;
    this.#prefix = prefix;
    this.#redis = 'client' in options ? options.client : redisClient(url, { lazyConnect: false, ...options });
    this.#redis.defineCommand('sluicePut', { numberOfKeys: 0, lua: putScript });
    this.#redis.defineCommand('sluiceDelete', { numberOfKeys: 0, lua: deleteScript });
  }

  async get(pipeline: string, relPath: string): Promise<FileRecord | undefined> {
    const [record] = await this.#records([{ pipeline, relPath }]);
    return record;
  }

  async put(record: FileRecord, appendDone?: string): Promise<void> {
    await this.#put([record], appendDone ?? '');
  }

  async putAll(records: readonly FileRecord[]): Promise<void> {
    if (records.length > 0) await this.#put(records, '');
  }

  async markDisposed(pipeline: string, relPath: string): Promise<void> {
    await this.markAllDisposed([{ pipeline, relPath }]);
  }

  async markAllDisposed(keys: readonly InputKey[]): Promise<void> {
    if (keys.length > 0) await this.#guard(() => this.#redis.srem(this.#key('pending'), ...keys.map(member)));
  }

  async markAllFinished(keys: readonly InputKey[]): Promise<void> {
    if (keys.length > 0) await this.#guard(() => this.#redis.hdel(this.#key('finishes'), ...keys.map(member)));
  }

  async pendingFinishes(limit: number): Promise<FileRecord[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.#guard(() => this.#redis.hscan(this.#key('finishes'), cursor, 'COUNT', scanCount));
      for (let i = 0; i < flat.length && found.length < limit; i += 2) found.push(flat[i]!);
      cursor = next;
    } while (cursor !== '0' && found.length < limit);
    return this.#existing(found);
  }

  async delete(pipeline: string, relPath: string): Promise<void> {
    await this.#guard(() => this.#call('sluiceDelete', this.#prefix, pipeline, relPath));
  }

  async beginAppend(intent: AppendIntent): Promise<void> {
    await this.#guard(() => this.#redis.hset(this.#key('appends'), intent.path, String(intent.size)));
  }

  async endAppend(path: string): Promise<void> {
    await this.#guard(() => this.#redis.hdel(this.#key('appends'), path));
  }

  async appends(): Promise<AppendIntent[]> {
    const all = await this.#guard(() => this.#redis.hgetall(this.#key('appends')));
    return Object.entries(all).map(([path, size]) => ({ path, size: Number(size) }));
  }

  async pendingDisposals(limit: number): Promise<FileRecord[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, members] = await this.#guard(() => this.#redis.sscan(this.#key('pending'), cursor, 'COUNT', scanCount));
      for (const m of members) if (found.length < limit) found.push(m);
      cursor = next;
    } while (cursor !== '0' && found.length < limit);
    return this.#existing(found);
  }

  async counts(): Promise<PipelineCounts[]> {
    const pipelines = (await this.#guard(() => this.#redis.smembers(this.#key('pipelines')))).sort();
    const counts: PipelineCounts[] = [];
    for (const pipeline of pipelines) {
      const [all, failed] = await this.#guard(() => Promise.all([
        this.#redis.hlen(this.#key('rec', pipeline)), this.#redis.scard(this.#key('failed', pipeline)),
      ]));
      if (all > 0) counts.push({ pipeline, done: all - failed, failed });
    }
    return counts;
  }

  async producersOf(output: string, limit: number): Promise<FileRecord[]> {
    const members = await this.#guard(() => this.#redis.smembers(this.#key('out', output)));
    const records = await this.#existing(members);
    return records.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  async failures(limit: number): Promise<FileRecord[]> {
    const pipelines = await this.#guard(() => this.#redis.smembers(this.#key('pipelines')));
    const found: InputKey[] = [];
    for (const pipeline of pipelines) {
      let cursor = '0';
      do {
        const [next, paths] = await this.#guard(() => this.#redis.sscan(this.#key('failed', pipeline), cursor, 'COUNT', scanCount));
        for (const relPath of paths) if (found.length < maxFailuresRead) found.push({ pipeline, relPath });
        cursor = next;
      } while (cursor !== '0' && found.length < maxFailuresRead);
    }
    const records = (await this.#records(found)).filter((r): r is FileRecord => r?.status === 'failed');
    return records.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }

  close(): Promise<void> {
    this.#closing ??= this.#redis.quit().then(() => {}, () => this.#redis.disconnect());
    return this.#closing;
  }

  async #put(records: readonly FileRecord[], appendDone: string): Promise<void> {
    const args = records.flatMap((r) => {
      const { disposed, finish, ...rest } = r;
      return [JSON.stringify(rest), disposed ? '1' : '0', finish == null ? '' : JSON.stringify(finish)];
    });
    await this.#guard(() => this.#call('sluicePut', this.#prefix, appendDone, ...args));
  }

  /** The records of `members` (`<pipeline>\0<relPath>`) that exist. */
  async #existing(members: readonly string[]): Promise<FileRecord[]> {
    const records = await this.#records(members.map(keyOf));
    return records.filter((r): r is FileRecord => r !== undefined);
  }

  /** Each record with its disposal and finish state, read in one MULTI. */
  async #records(keys: readonly InputKey[]): Promise<(FileRecord | undefined)[]> {
    if (keys.length === 0) return [];
    const multi = this.#redis.multi();
    for (const k of keys) {
      multi.hget(this.#key('rec', k.pipeline), k.relPath).sismember(this.#key('pending'), member(k)).hget(this.#key('finishes'), member(k));
    }
    const replies = await this.#guard(async () => (await multi.exec()) ?? []);
    return keys.map((_, n) => {
      const [json, pending, finish] = replies.slice(3 * n, 3 * n + 3).map(([err, value]) => {
        if (err) throw err;
        return value;
      });
      if (typeof json !== 'string') return undefined;
      const rest = JSON.parse(json) as Omit<FileRecord, 'disposed' | 'finish'>;
      return { ...rest, disposed: pending !== 1, ...(typeof finish === 'string' ? { finish: JSON.parse(finish) as Finish } : {}) };
    });
  }

  #call(command: 'sluicePut' | 'sluiceDelete', ...args: string[]): Promise<unknown> {
    return (this.#redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[command]!(...args);
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new SluiceError('STATE_FAILED',
        `The shared state store (Redis at ${this.#url}) failed (${(err as Error).message}), so sluice stopped rather than ` +
        'lose track of its files. Check that Redis has memory left (maxmemory-policy noeviction) and is healthy, then ' +
        'start sluice again: work that was not recorded is redone.',
        { kind: 'fatal', cause: err, context: { url: this.#url } });
    }
  }
}

function member(k: InputKey): string {
  return `${k.pipeline}\0${k.relPath}`;
}

function keyOf(member: string): InputKey {
  const at = member.indexOf('\0');
  return { pipeline: member.slice(0, at), relPath: member.slice(at + 1) };
}
