import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, waitFor, type SluiceProcess } from '../helpers/process.js';
import { cliJson } from '../ops/helpers.js';

// SIGHUP reloads the config file: a valid new config applies to new work without losing queued work or restarting
// jobs in flight; an invalid one is refused with a logged error and the old config keeps running.
describe('sluice watch: SIGHUP reloads the config', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  /** Records each run in runs.log, then waits for the file `gate` before copying: a job held in flight by the test. */
  const gated = (extra: Record<string, unknown> = {}) =>
    shStage('echo "$1" >> runs.log; while [ ! -e gate ]; do sleep 0.05; done; cp "$1" "$2"', extra);
  const runsOf = (name: string) => (box.read('runs.log')?.toString() ?? '').split('\n').filter((l) => l.endsWith(`/${name}`)).length;

  async function reloaded(sluice: SluiceProcess, count: number): Promise<string> {
    sluice.kill('SIGHUP');
    const lines = await waitFor(`reload #${count}`, () => {
      const found = sluice.logs.filter((l) => /^config reload/.test(l.message));
      return found.length >= count ? found : null;
    });
    return lines[count - 1]!.message;
  }

  test('a new pipeline takes effect; jobs in flight and queued finish exactly once under the old config', async () => {
    const a = (concurrency: number) => pipeline({ name: 'a', stages: [gated({ concurrency })] });
    box.config({ pipelines: [a(1)] });
    const sluice = box.start(['watch', ...debugJson]);
    await sluice.ready();
    box.write('inbox/slow.txt', 'slow');
    box.write('inbox/queued.txt', 'queued');
    await waitFor('one job in flight', () => runsOf('slow.txt') + runsOf('queued.txt') === 1);
    box.config({ pipelines: [a(2), pipeline({ name: 'b', input: { dir: './inbox-b', settleMs: 0 }, output: { dir: './out-b' } })] });
    assert.match(await reloaded(sluice, 1), /^config reloaded from .*sluice\.json: pipelines added: b$/);
    box.write('inbox-b/new.txt', 'new');
    await sluice.processed('new.txt');
    assert.equal(box.read('out-b/new.txt')?.toString(), 'new');
    const status = await cliJson(box, ['status']);
    assert.deepEqual(status.pipelines.map((p: { name: string; processed: number }) => [p.name, p.processed]), [['a', 0], ['b', 1]],
      'status follows the reloaded config');
    box.write('gate', '');
    await sluice.processed('slow.txt');
    await sluice.processed('queued.txt');
    // After the old jobs are done the inputs are scanned again (onSuccess keep): found up to date, not run again.
    for (const name of ['slow.txt', 'queued.txt']) {
      await sluice.waitForLog(`${name} unchanged`, (l) => l.path === name && l.message.startsWith('unchanged'));
    }
    assert.equal(runsOf('slow.txt'), 1);
    assert.equal(runsOf('queued.txt'), 1);
    assert.equal(sluice.logs.filter((l) => l.message.startsWith('processed') && l.path === 'slow.txt').length, 1);
    assert.equal(box.read('outbox/slow.txt')?.toString(), 'slow');
    assert.equal(sluice.logs.filter((l) => l.level === 'error' || l.message.startsWith('aborted')).length, 0, sluice.stderr);
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
  });

  test('a changed stage option and log level apply to new files; inputs of the changed pipeline are processed again', async () => {
    const config = (replacement: string, level = 'info') => ({
      log: { level },
      pipelines: [pipeline({ stages: [{ use: 'replace', with: { pattern: 'x', replacement } }] })],
    });
    box.config(config('one'));
    const sluice = box.start(['watch', '--log-format', 'json']);
    await sluice.ready();
    box.write('inbox/first.txt', 'x');
    await waitFor('first.txt → one', () => box.read('outbox/first.txt')?.toString() === 'one');
    assert.equal(sluice.logs.filter((l) => l.level === 'debug').length, 0);
    box.config(config('two', 'debug'));
    assert.match(await reloaded(sluice, 1), /pipelines changed \(their inputs are processed again\): p$/);
    box.write('inbox/second.txt', 'x');
    await sluice.processed('second.txt');
    assert.equal(box.read('outbox/second.txt')?.toString(), 'two');
    assert.ok(sluice.logsFor('second.txt').some((l) => l.level === 'debug' && l.message === 'queued'), 'the new log level applies');
    await waitFor('first.txt reprocessed → two', () => box.read('outbox/first.txt')?.toString() === 'two');
  });

  test('an invalid config is refused with the problems logged; the old config keeps processing', async () => {
    const good = box.config({ pipelines: [pipeline()] }, 'conf.json');
    const sluice = box.start(['watch', '-c', good, '--log-format', 'json']);
    await sluice.ready();
    box.config({ pipelines: [pipeline({ name: 'Bad Name', retry: { attempts: 0 } })] }, 'conf.json');
    assert.match(await reloaded(sluice, 1), /^config reload refused, still running the previous config: .*conf\.json has 2 problems/);
    const refusal = sluice.logs.find((l) => l.message.startsWith('config reload refused'))!;
    assert.equal(refusal.level, 'error');
    assert.equal(refusal['code'], 'CONFIG_INVALID');
    assert.match(refusal.message, /pipelines\[0\]\.name: /);
    assert.match(refusal.message, /pipelines\[0\]\.retry\.attempts: /);
    box.write('conf.json', 'pipelines: [ { name: p');
    assert.match(await reloaded(sluice, 2), /refused.*not valid JSON/);
    box.config({ stateDir: './elsewhere', pipelines: [pipeline()] }, 'conf.json');
    assert.match(await reloaded(sluice, 3), /refused.*stateDir changed .* needs a restart/);
    box.write('inbox/after.txt', 'still running');
    await sluice.processed('after.txt');
    assert.equal(box.read('outbox/after.txt')?.toString(), 'still running');
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
  });

  test('with the built-in default (no config file) SIGHUP is a logged no-op', async () => {
    const sluice = box.start(['watch', '--log-format', 'json']);
    await sluice.ready();
    sluice.kill('SIGHUP');
    await sluice.waitForLog('the no-op line', (l) => /nothing to reload/.test(l.message));
    box.write('inbox/hello.txt', 'hello');
    await waitFor('archive/hello.txt', () => box.read('archive/hello.txt'));
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
  });
});
