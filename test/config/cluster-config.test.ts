import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { makeTempDir, writeConfigIn } from '../helpers/cli.js';
import { accepted, pipe, refused } from '../helpers/config-refusals.js';

describe('config: cluster', () => {
  it('is null by default: one node on SQLite, the state folder as written', async (t) => {
    const dir = makeTempDir(t);
    writeConfigIn(dir, { pipelines: [pipe()] });
    const config = await loadConfig({ config: 'sluice.yaml', cwd: dir });
    assert.equal(config.cluster, null);
    assert.equal(config.stateDir, path.join(dir, '.sluice'));
  });

  it('fills its defaults; a node left null is the host name and pid, with its own folder below stateDir', async (t) => {
    const dir = makeTempDir(t);
    writeConfigIn(dir, { cluster: { redis: 'redis://10.0.0.5:6379/0' }, pipelines: [pipe()] });
    const config = await loadConfig({ config: 'sluice.yaml', cwd: dir });
    const node = `${os.hostname()}-${process.pid}`;
    assert.deepEqual(config.cluster, {
      redis: 'redis://10.0.0.5:6379/0', prefix: 'sluice', node, named: false, lockMs: 30_000, scanIntervalMs: 10_000,
    });
    assert.equal(config.stateDir, path.join(dir, '.sluice', 'nodes', node));
  });

  it('takes a unix socket, a prefix, a node name and the tuning keys', async (t) => {
    await accepted(t, { cluster: { redis: 'unix:///run/redis/redis.sock', prefix: 'plant-2', node: 'scan-box.1', lockMs: 2000, scanIntervalMs: 250 }, pipelines: [pipe()] });
    await accepted(t, { cluster: null, pipelines: [pipe()] });
  });

  it('refuses what is not a Redis URL, a prefix with a colon, a node name with a slash, too short timings, unknown keys', async (t) => {
    await refused(t, { cluster: { redis: 'http://localhost:6379' }, pipelines: [pipe()] }, 'cluster.redis');
    await refused(t, { cluster: {}, pipelines: [pipe()] }, 'cluster.redis');
    await refused(t, { cluster: { redis: 'redis://h', prefix: 'a:b' }, pipelines: [pipe()] }, 'cluster.prefix');
    await refused(t, { cluster: { redis: 'redis://h', node: 'a/b' }, pipelines: [pipe()] }, 'cluster.node');
    await refused(t, { cluster: { redis: 'redis://h', lockMs: 100 }, pipelines: [pipe()] }, 'cluster.lockMs');
    await refused(t, { cluster: { redis: 'redis://h', scanIntervalMs: 10 }, pipelines: [pipe()] }, 'cluster.scanIntervalMs');
    await refused(t, { cluster: { redis: 'redis://h', leaseMs: 5 }, pipelines: [pipe()] }, 'cluster.leaseMs');
    await refused(t, { cluster: 'redis://h', pipelines: [pipe()] }, 'cluster');
  });
});
