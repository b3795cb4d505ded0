import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, it } from 'node:test';
import { ClusterBox, listFiles } from '../test/helpers/cluster.js';
import { waitFor, type SluiceProcess } from '../test/helpers/process.js';
import { redisSkip, startRedis } from '../test/helpers/redis.js';

/** Every `.gz` in out/ gunzips to its input (read from `inputs`, a folder relative to the sandbox). */
function outputsMatch(cluster: ClusterBox, names: readonly string[], inputs: string): void {
  for (const n of names) {
    const out = cluster.box.read(`out/${n.replace(/\.txt$/, '.gz')}`);
    assert.ok(out, `${n} has its output`);
    assert.ok(gunzipSync(out).equals(cluster.box.read(`${inputs}/${n}`)!), `${n}'s output is its input, gzipped`);
  }
}

/** The node's /metrics URL (from its log). */
function metricsUrl(node: SluiceProcess): string {
  const line = node.logs.find((l) => /^metrics listening on /.test(l.message));
  assert.ok(line, 'the node serves metrics');
  return line.message.replace(/^metrics listening on /, '');
}

/** GET on the node's /healthz. */
async function healthz(node: SluiceProcess): Promise<number> {
  return (await fetch(metricsUrl(node).replace(/\/metrics$/, '/healthz'))).status;
}

describe('cluster: Redis restarts, loses its data, or is not there', { skip: redisSkip() }, () => {
  let cluster: ClusterBox | null = null;
  afterEach(ClusterBox.disposeAll);

  it('kill -9 of redis-server mid-flood, restarted on its AOF: nodes reconnect (healthz 503 meanwhile), nothing is lost', async () => {
    cluster = await ClusterBox.create({ pipeline: { onSuccess: { moveTo: './done' } } });
    const watched = cluster.start('n1', { config: cluster.configFor('n1', { extra: { http: { port: 0 } } }) });
    cluster.start('n2');
    await cluster.ready();
    const names = cluster.inputs(300);
    await waitFor('a third of the outputs', () => listFiles(cluster!.box.path('out')).length >= 100, { timeoutMs: 30_000 });
    await cluster.redis.kill();
    await watched.waitForLog('the lost link', (l) => l['code'] === 'REDIS_LOST');
    assert.equal(await healthz(watched), 503, '/healthz answers 503 while Redis is away');
    await new Promise((r) => setTimeout(r, 1000));
    cluster.redis = await startRedis(cluster.redis.dir);
    await watched.waitForLog('the link back', (l) => l['code'] === 'REDIS_BACK', { timeoutMs: 20_000 });
    await waitFor('every input disposed of', () => listFiles(cluster!.box.path('done')).length === names.length, { timeoutMs: 60_000 });
    assert.deepEqual(listFiles(cluster.box.path('in')), [], 'no input left behind');
    outputsMatch(cluster, names, 'done');
    await waitFor('/healthz 200 again', async () => (await healthz(watched)) === 200);
    const metrics = await (await fetch(metricsUrl(watched))).text();
    assert.match(metrics, /sluice_files_total\{[^}]*node="n1"/, 'every series names the node');
    assert.match(metrics, /sluice_cluster_queue_jobs\{[^}]*pipeline="gz"[^}]*state="waiting"[^}]*\} \d+/, 'the cluster queue gauges');
    const dashboard = await waitFor('both nodes on the dashboard', async () => {
      const status = await (await fetch(metricsUrl(watched).replace(/\/metrics$/, '/api/status'))).json() as any;
      return status.cluster?.nodes.length === 2 ? status : null;
    });
    assert.equal(dashboard.node, 'n1');
    assert.deepEqual(dashboard.cluster.nodes.map((n: any) => n.node).sort(), ['n1', 'n2']);
  });

  it('Redis loses its data (FLUSHALL): inputs not disposed of are processed again; committed outputs stay intact', async () => {
    cluster = await ClusterBox.create();
    cluster.start('n1');
    cluster.start('n2');
    await cluster.ready();
    const names = cluster.inputs(40);
    await cluster.outputs(names);
    await waitFor('40 commits', () => cluster!.processed().length === 40);
    const redis = cluster.client();
    try {
      await redis.flushall();
    } finally {
      redis.disconnect();
    }
    // Outputs are renamed into place whole: at any moment each is its input gzipped, never partial.
    await waitFor('every input processed again', () => {
      outputsMatch(cluster!, names, 'in');
      return new Set(cluster!.processed().map(([, p]) => p)).size === 40 && cluster!.processed().length >= 80;
    }, { timeoutMs: 30_000 });
    outputsMatch(cluster, names, 'in');
  });

  it('unreachable at start: `run` exits 1 naming the URL; `watch` retries with a line each time, then joins', async () => {
    cluster = await ClusterBox.create();
    const dir = cluster.redis.dir;
    await cluster.redis.kill();
    fs.rmSync(cluster.redis.url.slice('unix://'.length), { force: true });
    const run = await cluster.box.run(['run', '--config', cluster.configFor('r')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot reach Redis at unix:\/\/\/.*redis\.sock/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const node = cluster.start('n1');
    await node.waitForLog('a retry line', (l) => l['code'] === 'REDIS_UNREACHABLE' && /Trying again/.test(l.message));
    assert.equal(node.exit, null, 'watch does not exit');
    cluster.redis = await startRedis(dir);
    await node.ready({ timeoutMs: 30_000 });
    const names = cluster.inputs(5);
    await cluster.outputs(names);
  });

  it('refuses (exit 2) a Redis that may evict keys, and warns when AOF is off', async () => {
    cluster = await ClusterBox.create();
    const redis = cluster.client();
    try {
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const refused = await cluster.box.run(['watch', '--config', cluster.configFor('n1')]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /maxmemory-policy allkeys-lru.*noeviction/s);
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
      await redis.config('SET', 'appendonly', 'no');
      const run = await cluster.box.run(['run', '--config', cluster.configFor('n1')]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /without AOF/);
      await redis.set('sluice:node:twin', JSON.stringify({ node: 'twin', host: 'elsewhere', pid: 7 }), 'PX', 60_000);
      const twin = await cluster.box.run(['run', '--config', cluster.configFor('twin')]);
      assert.equal(twin.code, 2, 'a name a live node on another host has is refused');
      assert.match(twin.stderr, /node name twin is in use by a live node on host elsewhere/);
    } finally {
      redis.disconnect();
    }
  });
});
