import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// Inputs deleted, renamed or rewritten while they wait their turn or while a stage is reading them: skipped or redone,
// never a crash, never an output made from half the old file and half the new one (the fingerprint is checked again
// under the output lock before the commit).
describe('vanishing and changing inputs', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // Copies the input in two halves. Between them, while ./ctl/hold-<name> exists, it reports itself in ./ctl/started and
  // waits: the test changes the input exactly there, mid-read, without sleeping.
  const gate = `import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
export default async function gate(ctx) {
  const ctl = ctx.options.ctl;
  const name = ctx.source.relPath.replaceAll('/', '_');
  const half = Math.floor(ctx.source.size / 2);
  const head = Buffer.alloc(half);
  const fd = fs.openSync(ctx.input, 'r');
  fs.readSync(fd, head, 0, half, 0);
  fs.closeSync(fd);
  fs.writeFileSync(ctx.output, head);
  fs.appendFileSync(ctl + '/started', name + '\\n');
  while (fs.existsSync(ctl + '/hold-' + name)) await delay(20, undefined, { signal: ctx.signal });
  const rest = fs.readFileSync(ctx.input).subarray(half);
  fs.appendFileSync(ctx.output, rest);
}
`;

  function start(command: 'watch' | 'run', concurrency = 4): SluiceProcess {
    box.write('gate.mjs', gate);
    fs.mkdirSync(box.path('ctl'), { recursive: true });
    box.write('sluice.yaml', JSON.stringify({
      rescanIntervalMs: 0,
      pipelines: [pipeline({
        onSuccess: { moveTo: './archive' }, retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 20 },
        stages: [{ use: './gate.mjs', with: { ctl: box.path('ctl') }, concurrency }],
      })],
    }));
    return box.start([command, '-c', box.path('sluice.yaml'), ...debugJson]);
  }

  const hold = (name: string) => box.write(`ctl/hold-${name}`, '');
  const release = (name: string) => box.rm(`ctl/hold-${name}`);
  const started = (name: string) => waitFor(`${name} to be mid-read`, () =>
    (box.read('ctl/started')?.toString() ?? '').split('\n').includes(name));

  /** The daemon is still healthy: a new file goes through, and SIGTERM stops it with exit 0. */
  async function stillHealthy(sluice: SluiceProcess): Promise<void> {
    box.write('inbox/canary.txt', 'canary');
    await sluice.processed('canary.txt');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0, sluice.stderr);
  }

  const committed = (sluice: SluiceProcess, name: string) => sluice.logsFor(name, /^committed/).length;

  test('deleted mid-read: skipped (INPUT_VANISHED), no output, nothing archived', async () => {
    const sluice = start('watch');
    await sluice.ready();
    hold('gone.txt');
    box.write('inbox/gone.txt', 'x'.repeat(10_000));
    await started('gone.txt');
    box.rm('inbox/gone.txt');
    release('gone.txt');
    const skipped = await sluice.waitForLog('gone.txt skipped', (l) => l.path === 'gone.txt' && /^skipped/.test(l.message));
    assert.equal(skipped['code'], 'INPUT_VANISHED');
    assert.equal(committed(sluice, 'gone.txt'), 0);
    await stillHealthy(sluice);
    assert.deepEqual(box.files('outbox'), ['canary.txt']);
    assert.deepEqual(box.files('archive'), ['canary.txt']);
  });

  test('renamed mid-read: the old name is skipped, the new name is processed from the whole file', async () => {
    const sluice = start('watch');
    await sluice.ready();
    hold('old.txt');
    const content = 'renamed content '.repeat(1000);
    box.write('inbox/old.txt', content);
    await started('old.txt');
    fs.renameSync(box.path('inbox/old.txt'), box.path('inbox/new.txt'));
    release('old.txt');
    await sluice.processed('new.txt');
    await sluice.waitForLog('old.txt skipped', (l) => l.path === 'old.txt' && /^skipped/.test(l.message));
    assert.equal(box.read('outbox/new.txt')!.toString(), content);
    assert.equal(box.read('outbox/old.txt'), null);
    await stillHealthy(sluice);
  });

  for (const command of ['watch', 'run'] as const) {
    test(`${command}: rewritten mid-read: never committed half old, half new; redone once, output is the new file`, async () => {
      const oldContent = 'O'.repeat(20_000);
      const newContent = 'N'.repeat(30_000);
      hold('doc.txt');
      box.write('inbox/doc.txt', oldContent);
      const sluice = start(command);
      await started('doc.txt');
      fs.writeFileSync(box.path('inbox/doc.txt'), newContent);
      release('doc.txt');
      // A one-shot run may be done before its log is polled: wait for its exit instead.
      if (command === 'watch') await sluice.processed('doc.txt', { timeoutMs: 30_000 });
      else assert.equal((await sluice.waitForExit(30_000)).code, 0, sluice.stderr);
      assert.equal(box.read('outbox/doc.txt')!.toString(), newContent);
      assert.equal(box.read('archive/doc.txt')!.toString(), newContent);
      assert.equal(committed(sluice, 'doc.txt'), 1, 'only the consistent result was ever committed');
      assert.equal(sluice.logsFor('doc.txt', /^input changed while it was processed/).length, 1);
      assert.equal(sluice.logsFor('doc.txt', 'started').length, 2, 'the first attempt, then exactly one redo');
      if (command === 'watch') await stillHealthy(sluice);
    });
  }

  test('while waiting their turn: deleted ones are skipped, rewritten ones processed as rewritten, renamed ones under the new name', async () => {
    const sluice = start('watch', 1);
    await sluice.ready();
    hold('blocker.txt');
    box.write('inbox/blocker.txt', 'blocker');
    await started('blocker.txt');
    box.write('inbox/del.txt', 'to be deleted');
    box.write('inbox/rew.txt', 'first');
    box.write('inbox/ren.txt', 'to be renamed');
    await waitFor('three files waiting', () => ['del.txt', 'rew.txt', 'ren.txt'].every((n) => sluice.logsFor(n, 'queued').length > 0));
    box.rm('inbox/del.txt');
    fs.writeFileSync(box.path('inbox/rew.txt'), 'second, longer');
    fs.renameSync(box.path('inbox/ren.txt'), box.path('inbox/renamed.txt'));
    release('blocker.txt');
    for (const name of ['blocker.txt', 'rew.txt', 'renamed.txt']) await sluice.processed(name, { timeoutMs: 30_000 });
    await waitFor('del.txt and ren.txt skipped', () =>
      ['del.txt', 'ren.txt'].every((n) => sluice.logsFor(n, /^skipped/).length > 0));
    assert.equal(box.read('outbox/rew.txt')!.toString(), 'second, longer');
    assert.equal(box.read('outbox/renamed.txt')!.toString(), 'to be renamed');
    assert.equal(committed(sluice, 'rew.txt'), 1);
    await stillHealthy(sluice);
    assert.deepEqual(box.files('outbox'), ['blocker.txt', 'canary.txt', 'renamed.txt', 'rew.txt']);
    assert.deepEqual(box.files('inbox'), []);
  });
});
