import assert from 'node:assert/strict';
import http from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, type SluiceProcess, waitFor } from '../helpers/process.js';
import { actionHeaders, dashboardUrl, request } from './helpers.js';

// The dashboard's JSON API (documented in the README) against a real daemon.
describe('dashboard API', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  async function daemon(config: Record<string, unknown>): Promise<{ sluice: SluiceProcess; base: URL; get: (path: string) => Promise<any> }> {
    const sluice = box.start(['watch', '-c', box.config({ http: { port: 0, actions: true }, ...config }), ...debugJson]);
    await sluice.ready();
    const base = await dashboardUrl(sluice);
    return { sluice, base, get: async (path) => (await request(new URL(path, base))).json() };
  }

  test('pending is paged by 100, oldest first, filtered by ?q= and ?pipeline=; search finds it too', async () => {
    const { get } = await daemon({ pipelines: [pipeline({ input: { dir: './inbox', settleMs: 600_000 } })] });
    for (let i = 0; i < 250; i++) box.write(`inbox/f-${String(i).padStart(4, '0')}.txt`, `${i}`);
    const first = await waitFor('250 pending', async () => {
      const page = await get('/api/pending?page=1');
      return page.total === 250 ? page : null;
    });
    assert.equal(first.pageSize, 100);
    assert.equal(first.pages, 3);
    assert.equal(first.items.length, 100);
    assert.ok(first.items.every((f: any) => f.state === 'settling' && f.pipeline === 'p'));
    const since = first.items.map((f: any) => Date.parse(f.since));
    assert.deepEqual(since, [...since].sort((a, b) => a - b), 'oldest first');
    assert.equal((await get('/api/pending?page=3')).items.length, 50);
    assert.equal((await get('/api/pending?page=99')).page, 3);
    assert.deepEqual((await get('/api/pending?q=F-0042')).items.map((f: any) => f.path), ['f-0042.txt']);
    assert.equal((await get('/api/pending?pipeline=other')).total, 0);
    const found = await get('/api/search?q=f-0042');
    assert.deepEqual(found.pending.items.map((f: any) => f.path), ['f-0042.txt']);
    assert.equal(found.failures.total, 0);
    const status = await get('/api/status');
    assert.equal(status.totals.pending, 250);
    assert.equal(status.pipelines[0].pending, 250);
    assert.ok(status.pipelines[0].oldestPendingAgeMs >= 0);
  });

  test('status shows jobs in flight with their stage of how many; explain gives the timeline; search the recent result', async () => {
    const gate = box.path('gate');
    const slow = shStage(`while [ ! -f "${gate}" ]; do sleep 0.05; done; cp "$1" "$2"`);
    const { sluice, get } = await daemon({ pipelines: [pipeline({ stages: [{ use: 'copy' }, slow] })] });
    box.write('inbox/report.txt', 'r');
    const job = await waitFor('report.txt in flight at its second stage', async () =>
      (await get('/api/status')).inFlight.find((j: any) => j.path === 'report.txt' && j.stage === 'exec'));
    assert.equal(job.stageIndex, 2);
    assert.equal(job.stageCount, 2);
    assert.equal(job.attempt, 1);
    box.write('gate', '');
    await sluice.processed('report.txt');
    const status = await waitFor('the count', async () => {
      const s = await get('/api/status');
      return s.totals.processed === 1 ? s : null;
    });
    assert.equal(status.pipelines[0].throughput.length, 60);
    assert.equal(status.pipelines[0].throughput.at(-1), 1);
    assert.deepEqual(status.pipelines[0].stages, ['copy', 'exec']);
    assert.equal(status.pid, sluice.pid);
    assert.match(status.version, /^\d+\.\d+\.\d+/);

    const detail = await get('/api/explain?pipeline=p&path=report.txt');
    const steps = detail.timeline.map((s: any) => (s.stage ? `${s.step}:${s.stage}` : s.step));
    for (const step of ['seen', 'settled', 'queued', 'stage:copy', 'stage:exec', 'committed', 'processed']) assert.ok(steps.includes(step), `${step} in ${steps}`);
    assert.ok(steps.indexOf('seen') < steps.indexOf('stage:copy') && steps.indexOf('stage:exec') < steps.indexOf('committed'));
    assert.deepEqual(detail.outputs, [box.path('outbox/report.txt')]);
    assert.equal(detail.explanation.inputs[0].state, 'unchanged');
    const output = await get(`/api/explain?path=${encodeURIComponent(box.path('outbox/report.txt'))}`);
    assert.equal(output.explanation.outputOf[0].relPath, 'report.txt');
    assert.equal((await request(new URL('/api/explain?pipeline=nope&path=x', (await dashboardUrl(sluice))))).status, 404);
    assert.deepEqual((await get('/api/search?q=REPORT')).recent.items.map((r: any) => [r.path, r.outcome]), [['report.txt', 'processed']]);
  });

  test('failures list quarantined inputs with a one-line reason; Retry all shown retries them as sluice retry does', async () => {
    const flag = box.path('flag');
    const stage = shStage(`[ -f "${flag}" ] || { printf 'the flag file is missing\\nsecond line\\n' >&2; exit 3; }; cp "$1" "$2"`);
    const { sluice, base, get } = await daemon({ pipelines: [pipeline({ stages: [stage], onFailure: { moveTo: './failed' } })] });
    for (const name of ['a.txt', 'b.txt', 'keep.txt']) box.write(`inbox/${name}`, name);
    // A failure is recorded before its input is moved to quarantine and before its event is counted: wait for both.
    const list = await waitFor('3 failures, quarantined', async () => {
      const page = await get('/api/failures');
      return page.total === 3 && page.items.every((f: any) => f.quarantined) ? page : null;
    });
    const a = list.items.find((f: any) => f.path === 'a.txt');
    assert.equal(a.quarantined, true);
    assert.equal(a.location, box.path('failed/a.txt'));
    assert.equal(a.stage, 'exec');
    assert.equal(a.attempts, 1);
    assert.equal(a.retryable, true);
    assert.doesNotMatch(a.reason, /\n/);
    assert.match(a.reason, /flag file is missing|exit/);
    const status = await waitFor('3 failures counted', async () => {
      const s = await get('/api/status');
      return s.totals.failed === 3 ? s : null;
    });
    assert.equal(status.totals.failed, 3);
    assert.equal(status.problems[0].level, 'error');
    assert.ok(status.problems.some((p: any) => p.path === 'a.txt'));

    box.write('flag', '');
    const res = await request(new URL('/api/retry', base), {
      method: 'POST', headers: actionHeaders(base, status.csrf), body: JSON.stringify({ filter: { q: '.TXT' } }),
    });
    assert.deepEqual(res.json(), { retried: 3, skipped: [] });
    for (const name of ['a.txt', 'b.txt', 'keep.txt']) await sluice.processed(name);
    assert.deepEqual(box.files('failed'), [], 'inputs and sidecars left the quarantine');
    await waitFor('an empty failures list', async () => (await get('/api/failures')).total === 0);
    const again = await request(new URL('/api/retry', base), {
      method: 'POST', headers: actionHeaders(base, status.csrf), body: JSON.stringify({ items: [{ pipeline: 'p', path: 'a.txt' }] }),
    });
    assert.equal(again.json().retried, 0, 'a retried failure is not a failure any more');
  });

  test('recent problems are the warnings and errors of the daemon log, a refused reload among them', async () => {
    const config = box.config({ http: { port: 0 }, pipelines: [pipeline()] });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const base = await dashboardUrl(sluice);
    box.write('sluice.json', '{ "pipelines": "not a list" }');
    sluice.kill('SIGHUP');
    await sluice.waitForLog('the refused reload', (l) => /config reload refused/.test(l.message));
    const problems = (await request(new URL('/api/status', base))).json().problems;
    assert.equal(problems[0].level, 'error');
    assert.match(problems[0].message, /config reload refused/);
  });

  test('a reload that changes http: says it needs a restart; the listener keeps what it allows', async () => {
    const config = box.config({ http: { port: 0 }, pipelines: [pipeline()] });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    const base = await dashboardUrl(sluice);
    box.config({ http: { port: 0, actions: true }, pipelines: [pipeline()] });
    sluice.kill('SIGHUP');
    const line = await sluice.waitForLog('the restart warning', (l) => l['code'] === 'RELOAD_NEEDS_RESTART');
    assert.match(line.message, /http: changed/);
    const status = (await request(new URL('/api/status', base))).json();
    assert.equal(status.actions, false, 'the page offers no action the listener would refuse');
    assert.equal(status.csrf, null);
  });

  test('/api/events streams status events, coalesced, as files are processed', async () => {
    const { base } = await daemon({ pipelines: [pipeline()] });
    const events: any[] = [];
    const req = http.get(new URL('/api/events', base), { agent: false }, (res) => {
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let buffer = '';
      res.setEncoding('utf8').on('data', (s: string) => {
        buffer += s;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: status') && data) events.push(JSON.parse(data.slice(6)));
        }
      });
    });
    try {
      await waitFor('a first event', () => events.length > 0);
      for (let i = 0; i < 20; i++) box.write(`inbox/${i}.txt`, `${i}`);
      await waitFor('an event with all 20 processed', () => events.some((e) => e.totals.processed === 20));
      assert.ok(events.length < 40, `changes coalesce: ${events.length} events for 20 files`);
    } finally {
      req.destroy();
    }
  });
});
