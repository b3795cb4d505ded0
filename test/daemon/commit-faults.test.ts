import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openDatabase, prepareKept } from '../../src/state/sqlite-handles.js';
import { runJson } from '../helpers/cli.js';
import { pipeline, Sandbox } from '../helpers/process.js';

// The test-only fault hook SLUICE_FAULT=<step>:<n> makes sluice SIGKILL itself at one step of the commit protocol.
// For each step and mode: the crashed process dies there (the state it leaves shows which step it reached), and a
// restart without the fault converges: each output exactly once and complete, inputs disposed of, no temp file,
// every record done and disposed, and one more run finds nothing to do.

// replace+moveTo and replace+keep run gzip on the batched small-file path; `general` puts a `replace` stage first, so the
// same commit goes through the stage pools and the group commit.
type Mode = 'replace+moveTo' | 'append+moveTo' | 'replace+keep' | 'replace+moveTo, general path';
interface Row { rel_path: string; status: string; disposed: number }

const names = ['f1.txt', 'sub/f2.txt', 'f3.txt'];
const blockOf = (name: string) => {
  const body = `${name}:${'y'.repeat(3000 + name.length * 101)}`;
  return `BEGIN ${name} ${createHash('sha1').update(body).digest('hex')}\n${body}\nEND ${name}\n`;
};
const blockRe = /BEGIN (\S+) [0-9a-f]+\n[^\n]*\nEND \S+\n/g;

const steps: Record<Mode, readonly string[]> = {
  'replace+moveTo': ['after-temp-write', 'after-fsync', 'after-rename', 'after-record', 'after-dispose'],
  'append+moveTo': ['after-temp-write', 'after-fsync', 'mid-append', 'after-rename', 'after-record', 'after-dispose'],
  'replace+keep': ['after-temp-write', 'after-fsync', 'after-rename', 'after-record'],
  'replace+moveTo, general path': ['after-temp-write', 'after-fsync', 'after-rename', 'after-record', 'after-dispose'],
};

describe('sluice run: a crash at each step of the commit protocol, then a restart', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function setUp(mode: Mode): string {
    for (const name of names) box.write(`inbox/${name}`, blockOf(name));
    const append = mode === 'append+moveTo';
    return box.config({
      pipelines: [pipeline({
        output: append ? { dir: './outbox', path: 'all.log', mode: 'append' } : { dir: './outbox', path: '{relDir}/{base}.gz' },
        onSuccess: mode === 'replace+keep' ? 'keep' : { moveTo: './archive' },
        stages: append ? [{ use: 'copy', concurrency: 1 }]
          : mode === 'replace+moveTo, general path'
            ? [{ use: 'replace', with: { pattern: 'never-in-any-input', replacement: '' } }, { use: 'gzip', concurrency: 1 }]
            : [{ use: 'gzip', concurrency: 1 }],
      })],
    });
  }

  function rows(): Row[] {
    const db = openDatabase(box.path('.sluice/state.db'), { fileMustExist: true });
    try {
      return prepareKept<[], Row>(db, 'select rel_path, status, disposed from files').all();
    } finally {
      db.close();
    }
  }

  function appendIntents(): number {
    const db = openDatabase(box.path('.sluice/state.db'), { fileMustExist: true });
    try {
      return prepareKept<[], { n: number }>(db, 'select count(*) as n from appends').get()!.n;
    } finally {
      db.close();
    }
  }

  /** Inputs whose output is in outbox whole, with how many times it is there. */
  function outputs(mode: Mode): Map<string, number> {
    const found = new Map<string, number>();
    if (mode === 'append+moveTo') {
      for (const m of (box.read('outbox/all.log')?.toString() ?? '').matchAll(blockRe)) {
        if (m[0] === blockOf(m[1]!)) found.set(m[1]!, (found.get(m[1]!) ?? 0) + 1);
      }
      return found;
    }
    for (const name of names) {
      const gz = box.read(`outbox/${name}.gz`);
      if (gz && gunzipSync(gz).toString() === blockOf(name)) found.set(name, 1);
    }
    return found;
  }

  const temps = () => box.files().filter((f) => /(^|\/)\.sluice-tmp\/|\.sluice-(write|move)$/.test(f));

  /** What the dead process left must show it died at `step` (for some input: the Nth commit is not known in advance). */
  function assertDiedAt(step: string, mode: Mode): void {
    const out = outputs(mode);
    const recorded = new Map(rows().map((r) => [r.rel_path, r]));
    const inInbox = (n: string) => box.read(`inbox/${n}`) !== null;
    const some = (what: string, test: (n: string) => boolean) =>
      assert.ok(names.some(test), `${step}: some input ${what}; outputs ${[...out.keys()]}, rows ${JSON.stringify([...recorded.values()])}`);
    switch (step) {
      case 'after-temp-write':
      case 'after-fsync':
        assert.ok(box.files('outbox/.sluice-tmp').length > 0, 'the result is still a temp file');
        some('is unprocessed', (n) => inInbox(n) && !out.has(n) && !recorded.has(n));
        break;
      case 'mid-append':
        assert.notEqual(box.read('outbox/all.log')!.toString().replace(blockRe, ''), '', 'a half block ends the output');
        assert.equal(appendIntents(), 1, 'the append intent is recorded');
        break;
      case 'after-rename':
        some('has its output but no record', (n) => inInbox(n) && out.has(n) && !recorded.has(n));
        break;
      case 'after-record':
        some('is recorded with its output, input in place', (n) =>
          inInbox(n) && out.has(n) && recorded.get(n)?.status === 'done' && recorded.get(n)?.disposed === (mode === 'replace+keep' ? 1 : 0));
        break;
      case 'after-dispose':
        some('is archived but its disposal not recorded', (n) =>
          !inInbox(n) && box.read(`archive/${n}`) !== null && recorded.get(n)?.disposed === 0);
        break;
    }
  }

  for (const mode of Object.keys(steps) as Mode[]) {
    for (const step of steps[mode]) {
      test(`${mode}: SIGKILL ${step} (2nd time), then a restart converges`, async () => {
        const config = setUp(mode);
        const crashed = await box.run(['run', '-c', config], 30_000, { env: { SLUICE_FAULT: `${step}:2` } });
        assert.equal(crashed.signal, 'SIGKILL', `killed by the fault hook:\n${crashed.stderr}`);
        assertDiedAt(step, mode);

        const again = await runJson(box, ['-c', config]);
        assert.equal(again.code, 0, again.stderr);
        const out = outputs(mode);
        assert.deepEqual([...out.keys()].sort(), [...names].sort(), 'every output is there, complete');
        assert.deepEqual([...out.values()].filter((n) => n !== 1), [], 'and exactly once');
        if (mode === 'append+moveTo') {
          assert.equal(box.read('outbox/all.log')!.toString().replace(blockRe, ''), '', 'nothing but whole blocks');
        }
        const expectedOutbox = mode === 'append+moveTo' ? ['all.log'] : names.map((n) => `${n}.gz`).sort();
        assert.deepEqual(box.files('outbox'), expectedOutbox, 'nothing else in outbox');
        const kept = mode === 'replace+keep';
        assert.deepEqual(box.files('inbox'), kept ? [...names].sort() : []);
        for (const n of names) assert.equal(box.read(`${kept ? 'inbox' : 'archive'}/${n}`)!.toString(), blockOf(n));
        assert.deepEqual(temps(), [], 'no temp file anywhere');
        assert.deepEqual(rows().map((r) => [r.rel_path, r.status, r.disposed]).sort(),
          [...names].sort().map((n) => [n, 'done', 1]), 'every record done and disposed');
        assert.equal(appendIntents(), 0);

        const third = await runJson(box, ['-c', config]);
        assert.equal(third.code, 0);
        assert.deepEqual({ p: third.report.processed, u: third.report.unchanged, f: third.report.failed },
          { p: 0, u: kept ? names.length : 0, f: 0 }, 'nothing left to do');
      });
    }
  }
});
