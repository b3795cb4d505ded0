import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, it } from 'node:test';
import { ClusterBox, listFiles } from '../test/helpers/cluster.js';
import { Sandbox } from '../test/helpers/process.js';
import { redisSkip } from '../test/helpers/redis.js';

describe('cluster: nodes sharing one folder', { skip: redisSkip() }, () => {
  let cluster: ClusterBox | null = null;
  afterEach(ClusterBox.disposeAll);

  it('3 nodes × 600 files: outputs identical to a one-node run, each input committed once, work shared by all', async () => {
    cluster = await ClusterBox.create();
    const names = cluster.inputs(600);
    const single = await oneNodeOutputs(cluster.box.path('in'));
    for (const n of ['n1', 'n2', 'n3']) cluster.start(n);
    await cluster.ready();
    await cluster.outputs(names, { timeoutMs: 90_000 });
    await settleLogs(cluster, names.length);
    const commits = cluster.processed();
    assert.equal(commits.length, 600, 'one commit per input, cluster-wide');
    assert.equal(new Set(commits.map(([, p]) => p)).size, 600);
    for (const n of ['n1', 'n2', 'n3']) assert.ok(commits.some(([node]) => node === n), `${n} processed some of the files`);
    assert.deepEqual(listFiles(cluster.box.path('out')), [...single.keys()].sort());
    for (const [name, bytes] of single) assert.ok(bytes.equals(fs.readFileSync(cluster.box.path('out', name))), `${name} as one node writes it`);
  });

  it('two runs and two watching nodes all enqueue the same files: still one commit per input', async () => {
    cluster = await ClusterBox.create();
    const names = cluster.inputs(120);
    cluster.start('w1');
    cluster.start('w2');
    const runs = ['r1', 'r2'].map((n) => cluster!.box.run(['run', '--json', '--config', cluster!.configFor(n)], 60_000));
    const done = await Promise.all(runs);
    for (const r of done) assert.equal(r.code, 0, r.stderr);
    await cluster.outputs(names);
    const reports = done.map((r) => JSON.parse(r.stdout) as { files: { path: string; outcome: string; node?: string }[] });
    for (const report of reports) {
      assert.equal(report.files.length, 120, 'a run reports every file of its batch');
      for (const f of report.files) assert.ok(f.outcome === 'processed' || f.outcome === 'unchanged', JSON.stringify(f));
    }
    const runCommits = done.flatMap((r, n) => r.stderr.split('\n').filter((l) => l.includes('"processed →'))
      .map((l) => [`r${n + 1}`, (JSON.parse(l) as { path: string }).path] as [string, string]));
    await settleLogs(cluster, names.length - runCommits.length);
    // Who committed each input: its node's "processed" line, or a run report's line naming the node (a job result).
    const committers = new Map<string, string[]>();
    const claim = (node: string, path: string) => committers.set(path, [...(committers.get(path) ?? []), node]);
    for (const [node, path] of [...cluster.processed(), ...runCommits]) claim(node, path);
    for (const report of reports) {
      for (const f of report.files) if (f.outcome === 'processed' && f.node && !committers.get(f.path)?.includes(f.node)) claim(f.node, f.path);
    }
    for (const n of names) assert.equal(committers.get(n)?.length, 1, `${n} committed exactly once (by ${committers.get(n)?.join(', ')})`);
  });
});

/** Waits until the watching nodes' processed lines stop growing at `expected` (a duplicate would show as more). */
async function settleLogs(cluster: ClusterBox, expected: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (cluster.processed().length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // Time for a duplicate commit, were there one, to show (a scan or two, a job lock's life).
  await new Promise((r) => setTimeout(r, 1500));
}

/** What a one-node `sluice run` (SQLite, no cluster) writes for the same inputs: output name → bytes. */
async function oneNodeOutputs(inputs: string): Promise<Map<string, Buffer>> {
  const box = Sandbox.create();
  try {
    fs.cpSync(inputs, box.path('in'), { recursive: true });
    box.config({ pipelines: [{ name: 'gz', input: { dir: './in', settleMs: 0 }, output: { dir: './out', path: '{relDir}/{name}.gz' }, stages: [{ use: 'gzip' }] }] });
    const r = await box.run(['run'], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = new Map<string, Buffer>();
    for (const f of listFiles(box.path('out'))) {
      const bytes = fs.readFileSync(box.path('out', f));
      assert.ok(gunzipSync(bytes).length > 0);
      out.set(f, bytes);
    }
    return out;
  } finally {
    await box.dispose();
  }
}
