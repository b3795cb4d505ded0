import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { ClusterBox } from '../test/helpers/cluster.js';
import { waitFor } from '../test/helpers/process.js';
import { pagesStage } from '../test/helpers/folder-stages.js';
import { redisSkip } from '../test/helpers/redis.js';

/** An exec stage that fails (exit 3, permanent) while `flag` exists in the sandbox, else copies. */
const flaky = { use: 'exec', with: { command: ['/bin/sh', '-c', 'test -e flag && exit 3; cp "$1" "$2"', 'sh', '{in}', '{out}'], permanentExitCodes: [3] } };

describe('cluster: shared outputs, status, run, retry', { skip: redisSkip() }, () => {
  let cluster: ClusterBox | null = null;
  afterEach(ClusterBox.disposeAll);

  it('append from 3 nodes: every block once, none interleaved', async () => {
    cluster = await ClusterBox.create({ pipeline: { output: { dir: './out', path: 'all.log', mode: 'append' }, stages: [{ use: 'copy' }] } });
    for (const n of ['n1', 'n2', 'n3']) cluster.start(n);
    await cluster.ready();
    for (let i = 0; i < 90; i++) {
      cluster.box.write(`in/b${i}.txt`, Array.from({ length: 40 }, (_, k) => `block ${i} line ${k}\n`).join(''));
    }
    await waitFor('90 blocks appended', () => cluster!.processed().length >= 90, { timeoutMs: 60_000 });
    const lines = fs.readFileSync(cluster.box.path('out/all.log'), 'utf8').split('\n').slice(0, -1);
    assert.equal(lines.length, 90 * 40, 'no block lost or doubled');
    const seen = new Set<string>();
    for (let at = 0; at < lines.length; at += 40) {
      const block = /^block (\d+) line 0$/.exec(lines[at]!)?.[1];
      assert.ok(block !== undefined, `a block starts at line ${at}`);
      for (let k = 0; k < 40; k++) assert.equal(lines[at + k], `block ${block} line ${k}`, 'the block is whole, not interleaved');
      assert.ok(!seen.has(block), `block ${block} appears once`);
      seen.add(block);
    }
    const nodes = new Set(cluster.processed().map(([n]) => n));
    assert.ok(nodes.size >= 2, `the appends came from several nodes (${[...nodes].join(', ')})`);
  });

  it('folder outputs with completion markers from 2 nodes: each folder holds exactly its parts and its marker', async () => {
    cluster = await ClusterBox.create({
      pipeline: { output: { dir: './out', path: '{relDir}/{name}/', marker: '{relDir}/{name}/_SUCCESS' }, stages: [pagesStage] },
    });
    cluster.start('n1');
    cluster.start('n2');
    await cluster.ready();
    for (let i = 0; i < 20; i++) cluster.box.write(`in/doc${i}.txt`, `${1 + (i % 4)}\ntag${i}\n`);
    await waitFor('20 markers', () => Array.from({ length: 20 }, (_, i) => i).every((i) => cluster!.box.exists(`out/doc${i}/_SUCCESS`)), { timeoutMs: 60_000 });
    for (let i = 0; i < 20; i++) {
      const n = 1 + (i % 4);
      const want = ['_SUCCESS', ...Array.from({ length: n }, (_, k) => `page-${k + 1}.txt`), 'sub/extra.txt'].sort();
      assert.deepEqual(cluster.box.files(`out/doc${i}`), want, `doc${i}'s folder`);
      assert.equal(cluster.box.read(`out/doc${i}/page-1.txt`)!.toString(), `tag${i} page 1\n`);
    }
  });

  it('status shows every live node, the scanner, the queue counts, the totals and Redis', async () => {
    cluster = await ClusterBox.create();
    for (const n of ['n1', 'n2', 'n3']) cluster.start(n);
    await cluster.ready();
    const names = cluster.inputs(30);
    await cluster.outputs(names);
    await waitFor('30 commits recorded', () => cluster!.processed().length === 30);
    const json = await cluster.box.run(['status', '--json', '--config', 'n1.json']);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as {
      mode: string; nodes: { node: string; pid: number; host: string; version: string; uptimeMs: number; inFlight: number; lastHeartbeat: string }[];
      pipelines: { name: string; scanner: string; queue: Record<string, number>; processed: number; failed: number }[];
      redis: { link: string; aof: boolean; version: string; usedMemoryBytes: number };
    };
    assert.equal(s.mode, 'cluster');
    assert.deepEqual(s.nodes.map((n) => n.node), ['n1', 'n2', 'n3']);
    for (const n of s.nodes) {
      assert.equal(n.pid, cluster.nodes.get(n.node)!.pid);
      assert.ok(n.host && n.version && n.uptimeMs > 0 && n.inFlight >= 0 && !Number.isNaN(Date.parse(n.lastHeartbeat)));
    }
    assert.ok(['n1', 'n2', 'n3'].includes(s.pipelines[0]!.scanner));
    assert.deepEqual(Object.keys(s.pipelines[0]!.queue).sort(), ['active', 'delayed', 'failed', 'waiting']);
    assert.equal(s.pipelines[0]!.processed, 30);
    assert.equal(s.redis.link, 'up');
    assert.equal(s.redis.aof, true);
    assert.match(s.redis.version, /^\d+\.\d+/);
    const text = await cluster.box.run(['status', '--config', 'n1.json']);
    assert.match(text.stdout, /3 live node\(s\)/);
    for (const n of ['n1', 'n2', 'n3']) assert.match(text.stdout, new RegExp(`^${n} `, 'm'));
  });

  it('run reports each file with its node and exits 1 on a failure; retry re-enqueues the quarantined input', async () => {
    cluster = await ClusterBox.create({ pipeline: { stages: [flaky], output: { dir: './out', path: '{relDir}/{base}' }, onFailure: { moveTo: './failed' } } });
    cluster.box.write('flag', '');
    cluster.box.write('in/a.txt', 'a');
    cluster.box.write('in/b.txt', 'b');
    const run = await cluster.box.run(['run', '--json', '--config', cluster.configFor('r1')], 60_000);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { failed: number; files: { path: string; outcome: string; node?: string; error?: { code: string } }[] };
    assert.equal(report.failed, 2);
    for (const f of report.files) {
      assert.equal(f.outcome, 'failed');
      assert.equal(f.node, 'r1', `the node that processed ${f.path}`);
    }
    cluster.start('w1');
    await cluster.ready();
    await waitFor('both quarantined', () => cluster!.box.exists('failed/a.txt') && cluster!.box.exists('failed/b.txt'));
    cluster.box.rm('flag');
    const retried = await cluster.box.run(['retry', '--config', 'w1.json', 'failed/a.txt']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /queued on the cluster/);
    await waitFor('a.txt processed again', () => cluster!.box.read('out/a.txt')?.toString() === 'a', { timeoutMs: 20_000 });
    assert.ok(!cluster.box.exists('out/b.txt'), 'b.txt was not retried');
    const explained = await cluster.box.run(['explain', '--json', '--config', 'w1.json', 'in/a.txt']);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /"status":"done"/);
  });

  it('a run whose config defines a pipeline differently from the cluster reports its files as DEFINITION_DIFFERS (exit 1)', async () => {
    cluster = await ClusterBox.create({ cluster: { scanIntervalMs: 60_000 } });
    const node = cluster.start('n1', { env: { SLUICE_FAULT: 'drop-watch-events' } });
    await node.ready();
    await node.waitForLog('n1 scans', (l) => l['code'] === 'SCANNER_TAKEN');
    cluster.inputs(3);
    const odd = cluster.configFor('odd', { pipeline: { stages: [{ use: 'gzip', with: { level: 1 } }] } });
    const run = await cluster.box.run(['run', '--json', '--config', odd], 60_000);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { files: { outcome: string; error?: { code: string } }[] };
    assert.equal(report.files.length, 3);
    for (const f of report.files) assert.equal(f.error?.code, 'DEFINITION_DIFFERS');
  });

  it('a reload may change a pipeline but not add one (that needs a restart), and the node runs on', async () => {
    cluster = await ClusterBox.create();
    const node = cluster.start('n1');
    await node.ready();
    const config = JSON.parse(cluster.box.read('n1.json')!.toString()) as { pipelines: Record<string, unknown>[] };
    config.pipelines.push({ ...config.pipelines[0], name: 'more', input: { dir: './in2' }, output: { dir: './out2' } });
    cluster.box.write('n1.json', JSON.stringify(config));
    process.kill(node.pid, 'SIGHUP');
    await node.waitForLog('the refused reload', (l) => l['code'] === 'RELOAD_NEEDS_RESTART');
    const names = cluster.inputs(5);
    await cluster.outputs(names);
  });

  it('a node whose pipeline is defined differently takes none of its jobs, and says so', async () => {
    cluster = await ClusterBox.create();
    const first = cluster.start('n1');
    await first.ready();
    await first.waitForLog('n1 scans', (l) => l['code'] === 'SCANNER_TAKEN');
    const odd = cluster.start('odd', { config: cluster.configFor('odd', { pipeline: { stages: [{ use: 'gzip', with: { level: 1 } }] } }) });
    await odd.waitForLog('it refuses the jobs', (l) => l['code'] === 'NOT_TAKING_JOBS' && /defined differently/.test(l.message));
    const names = cluster.inputs(30);
    await cluster.outputs(names);
    await waitFor('30 commits', () => cluster!.processed().length === 30);
    assert.ok(cluster.processed().every(([n]) => n === 'n1'), 'all by the node with the cluster\'s definition');
  });
});
