import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor } from '../helpers/process.js';
import { cliJson, get, metricsUrl, parsePrometheus, sample } from './helpers.js';

// Prometheus /metrics and /healthz when `http:` is configured.
describe('metrics and healthz', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  async function scrape(url: string) {
    const res = await get(url);
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.body);
  }

  test('/metrics in Prometheus text format, with counters and histograms that move', async () => {
    const config = box.config({
      http: { port: 0 },
      pipelines: [pipeline({ stages: [shStage('case "$1" in *bad*) exit 3;; esac; cp "$1" "$2"')] })],
    });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const url = await metricsUrl(sluice);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.equal((await cliJson(box, ['status', '-c', config]))['metrics'], url);

    const before = await scrape(url);
    for (const [name, type] of [
      ['sluice_queue_depth', 'gauge'], ['sluice_queue_capacity', 'gauge'], ['sluice_jobs_in_flight', 'gauge'],
      ['sluice_files_total', 'counter'], ['sluice_stage_duration_seconds', 'histogram'], ['sluice_lock_wait_seconds', 'histogram'],
      ['sluice_oldest_pending_age_seconds', 'gauge'], ['sluice_files_found_by_rescan_total', 'counter'],
    ]) assert.equal(before.types.get(name!), type, name);
    assert.equal(sample(before.samples, 'sluice_queue_capacity', { pipeline: 'p' }), 1000);
    assert.equal(sample(before.samples, 'sluice_files_total', { pipeline: 'p', outcome: 'processed' }), 0);
    assert.equal(sample(before.samples, 'sluice_lock_wait_seconds_count'), 0);
    assert.equal(sample(before.samples, 'sluice_files_found_by_rescan_total', { pipeline: 'p' }), 0);

    box.write('inbox/a.txt', 'a');
    box.write('inbox/b.txt', 'b');
    box.write('inbox/bad.txt', 'x');
    await sluice.processed('a.txt');
    await sluice.processed('b.txt');
    await sluice.waitForLog('bad.txt failed', (l) => l.path === 'bad.txt' && /^failed after/.test(l.message));
    const after = await waitFor('the counters to move', async () => {
      const m = await scrape(url);
      return sample(m.samples, 'sluice_files_total', { pipeline: 'p', outcome: 'processed' }) === 2 ? m : null;
    });
    assert.equal(sample(after.samples, 'sluice_files_total', { pipeline: 'p', outcome: 'failed' }), 1);
    assert.equal(sample(after.samples, 'sluice_stage_duration_seconds_count', { pipeline: 'p', stage: 'exec' }), 2);
    assert.equal(sample(after.samples, 'sluice_lock_wait_seconds_count'), 2);
    assert.equal(sample(after.samples, 'sluice_lock_wait_seconds_bucket', { le: '+Inf' }), 2);
    assert.equal(sample(after.samples, 'sluice_jobs_in_flight', { pipeline: 'p' }), 0);
    assert.equal(sample(after.samples, 'sluice_queue_depth', { pipeline: 'p' }), 0);
    assert.equal(sample(after.samples, 'sluice_oldest_pending_age_seconds'), 0);
  });

  test('/healthz is 200 while running and 503 while draining', async () => {
    box.write('hold.flag', '');
    const config = box.config({
      http: { host: '127.0.0.1', port: 0 }, shutdownGraceMs: 60_000,
      pipelines: [pipeline({ stages: [shStage('while [ -e hold.flag ]; do sleep 0.05; done; cp "$1" "$2"')] })],
    });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const health = (await metricsUrl(sluice)).replace(/\/metrics$/, '/healthz');
    assert.equal((await get(health)).status, 200);
    box.write('inbox/slow.txt', 'slow');
    await sluice.waitForLog('slow.txt started', (l) => l.path === 'slow.txt' && l.message === 'started');
    sluice.kill('SIGTERM');
    await sluice.waitForLog('the drain', (l) => /^stopping: 1 job/.test(l.message));
    const draining = await get(health);
    assert.equal(draining.status, 503);
    assert.equal(draining.body.trim(), 'draining');
    assert.equal((await cliJson(box, ['status', '-c', config]))['state'], 'draining');
    box.rm('hold.flag');
    assert.equal((await sluice.waitForExit(30_000)).code, 0);
    assert.equal(box.read('outbox/slow.txt')?.toString(), 'slow');
  });

  test('a metrics port in use stops the daemon at start-up with a clear message', async () => {
    const first = box.start(['watch', '-c', box.config({ http: { port: 0 }, stateDir: './s1', pipelines: [pipeline()] }, 'one.json'), ...debugJson]);
    await first.ready();
    const port = new URL(await metricsUrl(first)).port;
    const second = await box.run(['watch', '-c', box.config({ http: { port: Number(port) }, stateDir: './s2', pipelines: [pipeline({ input: { dir: './in2' } })] }, 'two.json')]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /cannot serve the dashboard and metrics on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(second.stderr, /\n\s+at /);
  });
});
