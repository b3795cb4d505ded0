import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor } from '../helpers/process.js';

// One instance per state directory: a second `watch` or `run` exits 3 naming the holder's pid; a lock left by a killed
// process is taken over.
describe('sluice watch: single instance per state directory', () => {
  let box: Sandbox;
  let config: string;
  beforeEach(() => {
    box = Sandbox.create();
    config = box.config({ pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })] });
  });
  afterEach(async () => {
    await box.dispose();
  });

  for (const command of ['watch', 'run'] as const) {
    test(`a second ${command} on the same stateDir exits 3, names the first one's pid, and changes nothing`, async () => {
      const first = box.start(['watch', '-c', config]);
      await first.ready();
      box.write('inbox/a.txt', 'a');
      await waitFor('a.txt processed', () => box.read('archive/a.txt'));
      const second = await box.run([command, '-c', config], 15_000);
      assert.equal(second.code, 3, second.stderr);
      assert.match(second.stderr, new RegExp(`\\b${first.pid}\\b`));
      assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(second.stdout, '');
      assert.equal(first.exit, null, 'the first instance keeps running');
      box.write('inbox/b.txt', 'b');
      await waitFor('b.txt processed by the first instance', () => box.read('archive/b.txt'));
    });
  }

  test('run --json on a held stateDir also exits 3 and prints no report', async () => {
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    const second = await box.run(['run', '--json', '-c', config], 15_000);
    assert.equal(second.code, 3);
    assert.equal(second.stdout, '');
    assert.match(second.stderr, new RegExp(`\\b${first.pid}\\b`));
  });

  test('two configs that share a stateDir exclude each other too', async () => {
    const other = box.config({ stateDir: './.sluice', pipelines: [pipeline({ name: 'q', input: { dir: './in2' } })] }, 'other.json');
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    const second = await box.run(['watch', '-c', other], 15_000);
    assert.equal(second.code, 3, second.stderr);
    assert.match(second.stderr, new RegExp(`\\b${first.pid}\\b`));
  });

  test('after kill -9 of the holder a new instance takes the lock over and converges', async () => {
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    box.write('inbox/one.txt', 'one');
    await waitFor('one.txt processed', () => box.read('archive/one.txt'));
    first.kill('SIGKILL');
    assert.equal((await first.waitForExit()).signal, 'SIGKILL');
    box.write('inbox/while-down.txt', 'down');
    box.write('inbox/sub/while-down.txt', 'down too');

    const second = box.start(['watch', '-c', config]);
    await second.ready();
    box.write('inbox/after.txt', 'after');
    await waitFor('everything processed', () =>
      box.read('archive/while-down.txt') && box.read('archive/sub/while-down.txt') && box.read('archive/after.txt'));
    assert.deepEqual(box.files('inbox'), []);
    assert.deepEqual(box.files('outbox').filter((f) => !f.startsWith('.sluice-tmp/')),
      ['after.txt', 'one.txt', 'sub/while-down.txt', 'while-down.txt']);
    assert.equal(box.read('outbox/sub/while-down.txt')!.toString(), 'down too');

    const third = await box.run(['run', '-c', config], 15_000);
    assert.equal(third.code, 3, 'the new holder is protected in turn');
    assert.match(third.stderr, new RegExp(`\\b${second.pid}\\b`));
    second.kill('SIGTERM');
    assert.equal((await second.waitForExit()).code, 0);
    const fourth = await box.run(['run', '--json', '-c', config], 15_000);
    assert.equal(fourth.code, 0, 'a clean stop releases the lock');
  });

  const holder = () => JSON.parse(fs.readFileSync(box.path('.sluice/instance.json'), 'utf8')) as Record<string, unknown>;

  test('instance.json names the holder (pid and start time); one left naming a dead pid blocks nothing and is replaced', async () => {
    const before = Date.now();
    const first = box.start(['watch', '-c', config]);
    await first.ready();
    const info = holder();
    assert.equal(info['pid'], first.pid);
    const started = Date.parse(String(info['startedAt']));
    assert.ok(started >= before - 1000 && started <= Date.now(), `startedAt ${String(info['startedAt'])}`);
    first.kill('SIGKILL');
    await first.waitForExit();
    assert.equal(holder()['pid'], first.pid, 'a killed holder leaves its instance.json behind');

    const second = box.start(['watch', '-c', config]);
    await second.ready();
    assert.equal(holder()['pid'], second.pid, 'the new holder names itself');
    box.write('inbox/x.txt', 'x');
    await waitFor('x.txt processed', () => box.read('archive/x.txt'));
    const third = await box.run(['run', '-c', config], 15_000);
    assert.equal(third.code, 3);
    assert.match(third.stderr, new RegExp(`\\b${second.pid}\\b`));
    assert.doesNotMatch(third.stderr, new RegExp(`\\b${first.pid}\\b`), 'never the dead pid');
    second.kill('SIGTERM');
    assert.equal((await second.waitForExit()).code, 0);
    assert.equal(fs.existsSync(box.path('.sluice/instance.json')), false, 'a clean stop removes instance.json');
  });

  test('an instance.json naming a pid that does not exist, with no lock held, does not stop a start', async () => {
    box.write('.sluice/instance.json', `${JSON.stringify({ pid: 2 ** 22 + 17, startedAt: '2001-01-01T00:00:00.000Z', host: 'gone' })}\n`);
    box.write('inbox/y.txt', 'y');
    const run = await box.run(['run', '-c', config], 15_000);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(box.read('archive/y.txt')!.toString(), 'y');
  });
});
