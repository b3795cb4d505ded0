import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runJson, Sandbox, writeConfig } from '../helpers/cli.js';

type Obj = Record<string, unknown>;

// What is part of a pipeline's definition (its stages, their options, a module's code, output settings) reprocesses
// every input when it changes, rewriting the outputs; what only tunes how sluice runs (logging, concurrency, timeouts,
// retries, queue, grace, rescans) leaves every input unchanged and every output untouched.
describe('pipeline change', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    box.write('inbox/a.txt', 'hello world\n');
    box.write('inbox/sub/b.txt', 'hello again\n');
    box.write('upper.mjs', `import fs from 'node:fs';
export default (ctx) => fs.writeFileSync(ctx.output, fs.readFileSync(ctx.input, 'utf8').toUpperCase());
`);
  });
  afterEach(async () => {
    await box.dispose();
  });

  const base = (): Obj => ({
    pipelines: [{
      name: 'p', input: { dir: './inbox', settleMs: 0 },
      stages: [{ use: 'replace', with: { pattern: 'hello', replacement: 'bye' } }, { use: './upper.mjs' }],
    }],
  });
  const edit = (change: (c: Obj & { pipelines: Obj[] }) => void): Obj => {
    const c = base() as Obj & { pipelines: Obj[] };
    change(c);
    return c;
  };
  const stage = (c: { pipelines: Obj[] }, i: number) => (c.pipelines[0]!['stages'] as Obj[])[i]!;
  const inodes = () => box.files('outbox').map((f) => fs.statSync(box.path('outbox', f)).ino);

  async function runWith(config: Obj): Promise<{ processed: number; unchanged: number }> {
    writeConfig(box, config);
    const { code, report, stderr } = await runJson(box);
    assert.equal(code, 0, stderr);
    return report;
  }

  const tuning: [string, Obj][] = [
    ['log level and format', { ...base(), log: { level: 'debug', format: 'json' } }],
    ['concurrency', edit((c) => (stage(c, 0)['concurrency'] = 7))],
    ['timeoutMs', edit((c) => (stage(c, 1)['timeoutMs'] = 1234))],
    ['retry', edit((c) => (c.pipelines[0]!['retry'] = { attempts: 9, backoffMs: 5 }))],
    ['settleMs', edit((c) => (c.pipelines[0]!['input'] = { dir: './inbox', settleMs: 10 }))],
    ['queue, grace and rescan interval', { ...base(), queue: { capacity: 5 }, shutdownGraceMs: 10, rescanIntervalMs: 0 }],
    ['option order and defaults spelled out', edit((c) => (c.pipelines[0]!['stages'] = [
      { use: 'replace', with: { flags: 'g', replacement: 'bye', pattern: 'hello' } }, { use: './upper.mjs' },
    ]))],
  ];

  test('tuning changes leave every input unchanged and every output untouched', async () => {
    assert.equal((await runWith(base())).processed, 2);
    assert.equal(box.read('outbox/a.txt')!.toString(), 'BYE WORLD\n');
    const before = inodes();
    for (const [what, config] of tuning) {
      const report = await runWith(config);
      assert.deepEqual([report.processed, report.unchanged], [0, 2], what);
    }
    assert.deepEqual(inodes(), before, 'no output was rewritten');
  });

  const definition: [string, Obj, string][] = [
    ['a stage option', edit((c) => ((stage(c, 0)['with'] as Obj)['replacement'] = 'ciao')), 'CIAO WORLD\n'],
    ['a stage added', edit((c) => (c.pipelines[0]!['stages'] as Obj[]).push({ use: 'replace', with: { pattern: 'WORLD', replacement: 'THERE' } })), 'BYE THERE\n'],
    ['a stage removed', edit((c) => (c.pipelines[0]!['stages'] as Obj[]).pop()), 'bye world\n'],
    ['the output path template', edit((c) => (c.pipelines[0]!['output'] = { path: '{relDir}/{name}.out{ext}' })), 'BYE WORLD\n'],
  ];

  for (const [what, config, expected] of definition) {
    test(`changing ${what} reprocesses every input and rewrites its output`, async () => {
      assert.equal((await runWith(base())).processed, 2);
      const report = await runWith(config);
      assert.deepEqual([report.processed, report.unchanged], [2, 0]);
      const out = what === 'the output path template' ? 'outbox/a.out.txt' : 'outbox/a.txt';
      assert.equal(box.read(out)!.toString(), expected);
      assert.deepEqual([(await runWith(config)).unchanged], [2], 'and then it is up to date');
    });
  }

  test("editing a module's code reprocesses with the new code", async () => {
    assert.equal((await runWith(base())).processed, 2);
    box.write('upper.mjs', `import fs from 'node:fs';
export default (ctx) => fs.writeFileSync(ctx.output, '[' + fs.readFileSync(ctx.input, 'utf8').trim() + ']');
`);
    const report = await runWith(base());
    assert.deepEqual([report.processed, report.unchanged], [2, 0]);
    assert.equal(box.read('outbox/sub/b.txt')!.toString(), '[bye again]');
  });
});
