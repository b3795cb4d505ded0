/**
 * A real redis-server for tests: on a unix socket in a fresh temp folder, with the settings cluster mode asks for
 * (AOF on, no RDB snapshots, noeviction). `.ci/run` installs Debian's redis-server; without it, under CI=true a test
 * that needs it fails, elsewhere it is skipped with a message naming the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './process.js';

export interface RedisServer {
  /** `unix:///…/redis.sock`. */
  readonly url: string;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
  /** SIGKILLs the server, keeping its folder (its AOF) for a restart with startRedis(dir). */
  kill(): Promise<void>;
}

/**
 * For `describe(name, { skip: redisSkip() }, …)`: false when redis-server is on PATH; otherwise the skip message
 * naming the package, or, under CI=true, it throws (the test file fails: CI must install it).
 */
export function redisSkip(): string | false {
  if (spawnSync('redis-server', ['--version']).status === 0) return false;
  const message = 'needs redis-server (Debian package redis-server): apt-get install redis-server';
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI must install it`);
  return message;
}

/**
 * Starts a redis-server (in `dir`, to restart one on its AOF) and resolves once it accepts connections on its socket.
 * `extra` are more server arguments (e.g. `--appendfsync always`).
 */
export async function startRedis(
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-redis-'))), extra: readonly string[] = [],
): Promise<RedisServer> {
  const socket = path.join(dir, 'redis.sock');
  fs.rmSync(socket, { force: true });
  const child: ChildProcess = spawn('redis-server', [
    '--port', '0', '--unixsocket', socket, '--dir', dir, '--appendonly', 'yes', '--save', '',
    '--maxmemory-policy', 'noeviction', ...extra,
  ], { stdio: 'ignore' });
  await waitFor(`redis-server listening on ${socket}`, () => fs.existsSync(socket) || child.exitCode !== null, { timeoutMs: 10_000 });
  if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `unix://${socket}`,
    dir,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(killer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A client of a test server (`maxRetriesPerRequest: null`, as BullMQ needs); the caller disconnects it. */
export function clientOf(server: Pick<RedisServer, 'url'>): Redis {
  return new Redis({ path: server.url.slice('unix://'.length), maxRetriesPerRequest: null });
}

/**
 * One redis-server and one client for a describe block: started in `before`, stopped in `after`. Read them inside the
 * tests (the getters throw before `before` ran).
 */
export function redisPerSuite(before: (fn: () => Promise<void>) => void, after: (fn: () => Promise<void>) => void): { readonly server: RedisServer; readonly redis: Redis } {
  let server: RedisServer | null = null;
  let redis: Redis | null = null;
  before(async () => {
    server = await startRedis();
    redis = clientOf(server);
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    get redis() {
      return redis!;
    },
  };
}
