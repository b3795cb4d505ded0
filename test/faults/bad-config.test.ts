import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasStackTrace, Sandbox, writeConfig } from '../helpers/cli.js';

type Obj = Record<string, unknown>;

/** A minimal valid pipeline; `over` replaces top-level keys. */
const pipe = (over: Obj = {}): Obj => ({ name: 'p', input: { dir: './in' }, output: { dir: './out' }, stages: [{ use: 'copy' }], ...over });
const stages = (...s: Obj[]): Obj => ({ pipelines: [pipe({ stages: s })] });

interface Case {
  readonly what: string;
  readonly config: Obj | string;
  /** Key paths (or texts) stderr must name. */
  readonly named: readonly string[];
}

// Every refusal of the config contract (README "Config reference", src/config/schema.ts, validate.ts, templates,
// transforms): exit 2, nothing on stdout, no stack trace, and the key path named.
const cases: Case[] = [
  // Unknown keys, at every depth.
  { what: 'unknown top-level key', config: { pipelines: [pipe()], colour: true }, named: ['colour'] },
  { what: 'unknown key in log', config: { log: { lvl: 'info' }, pipelines: [pipe()] }, named: ['log.lvl'] },
  { what: 'unknown key in queue', config: { queue: { size: 3 }, pipelines: [pipe()] }, named: ['queue.size'] },
  { what: 'unknown key in input', config: { pipelines: [pipe({ input: { dir: './in', settle: 5 } })] }, named: ['pipelines[0].input.settle'] },
  { what: 'unknown key in output', config: { pipelines: [pipe({ output: { dir: './out', format: 'x' } })] }, named: ['pipelines[0].output.format'] },
  { what: 'unknown key in retry', config: { pipelines: [pipe({ retry: { tries: 2 } })] }, named: ['pipelines[0].retry.tries'] },
  { what: 'unknown key in a stage', config: stages({ use: 'copy', options: {} }), named: ['pipelines[0].stages[0].options'] },
  { what: 'unknown key in a pipeline', config: { pipelines: [pipe({ onError: 'keep' })] }, named: ['pipelines[0].onError'] },
  { what: 'unknown key in moveTo', config: { pipelines: [pipe({ onSuccess: { moveTo: './a', also: 1 } })] }, named: ['pipelines[0].onSuccess'] },
  // Wrong types and ranges, one per key.
  { what: 'stateDir not a string', config: { stateDir: 5, pipelines: [pipe()] }, named: ['stateDir'] },
  { what: 'log.level', config: { log: { level: 'verbose' }, pipelines: [pipe()] }, named: ['log.level'] },
  { what: 'log.format', config: { log: { format: 'xml' }, pipelines: [pipe()] }, named: ['log.format'] },
  { what: 'log.file', config: { log: { file: 3 }, pipelines: [pipe()] }, named: ['log.file'] },
  { what: 'queue.capacity 0', config: { queue: { capacity: 0 }, pipelines: [pipe()] }, named: ['queue.capacity'] },
  { what: 'queue.capacity not a number', config: { queue: { capacity: 'big' }, pipelines: [pipe()] }, named: ['queue.capacity'] },
  { what: 'rescanIntervalMs negative', config: { rescanIntervalMs: -1, pipelines: [pipe()] }, named: ['rescanIntervalMs'] },
  { what: 'shutdownGraceMs fractional', config: { shutdownGraceMs: 1.5, pipelines: [pipe()] }, named: ['shutdownGraceMs'] },
  { what: 'no pipelines', config: { pipelines: [] }, named: ['pipelines'] },
  { what: 'pipelines missing', config: { stateDir: './s' }, named: ['pipelines'] },
  { what: 'pipelines not a list', config: { pipelines: { name: 'p' } }, named: ['pipelines'] },
  { what: 'pipeline name with capitals', config: { pipelines: [pipe({ name: 'My-Pipe' })] }, named: ['pipelines[0].name'] },
  { what: 'pipeline name missing', config: { pipelines: [{ stages: [{ use: 'copy' }] }] }, named: ['pipelines[0].name'] },
  { what: 'input.dir empty', config: { pipelines: [pipe({ input: { dir: '' } })] }, named: ['pipelines[0].input.dir'] },
  { what: 'input.include empty', config: { pipelines: [pipe({ input: { dir: './in', include: [] } })] }, named: ['pipelines[0].input.include'] },
  { what: 'input.exclude not a list', config: { pipelines: [pipe({ input: { dir: './in', exclude: '*.bak' } })] }, named: ['pipelines[0].input.exclude'] },
  { what: 'input.settleMs a string', config: { pipelines: [pipe({ input: { dir: './in', settleMs: 'fast' } })] }, named: ['pipelines[0].input.settleMs'] },
  { what: 'output.mode', config: { pipelines: [pipe({ output: { dir: './out', mode: 'overwrite' } })] }, named: ['pipelines[0].output.mode'] },
  { what: 'onSuccess', config: { pipelines: [pipe({ onSuccess: 'archive' })] }, named: ['pipelines[0].onSuccess'] },
  { what: 'onFailure delete', config: { pipelines: [pipe({ onFailure: 'delete' })] }, named: ['pipelines[0].onFailure'] },
  { what: 'retry.attempts 0', config: { pipelines: [pipe({ retry: { attempts: 0 } })] }, named: ['pipelines[0].retry.attempts'] },
  { what: 'retry.backoffMs negative', config: { pipelines: [pipe({ retry: { backoffMs: -5 } })] }, named: ['pipelines[0].retry.backoffMs'] },
  { what: 'retry.maxBackoffMs a string', config: { pipelines: [pipe({ retry: { maxBackoffMs: '1m' } })] }, named: ['pipelines[0].retry.maxBackoffMs'] },
  { what: 'no stages', config: { pipelines: [pipe({ stages: [] })] }, named: ['pipelines[0].stages'] },
  { what: 'stage without use', config: stages({ with: {} }), named: ['pipelines[0].stages[0].use'] },
  { what: 'stage concurrency 0', config: stages({ use: 'copy', concurrency: 0 }), named: ['pipelines[0].stages[0].concurrency'] },
  { what: 'stage timeoutMs 0', config: stages({ use: 'copy', timeoutMs: 0 }), named: ['pipelines[0].stages[0].timeoutMs'] },
  // Templates.
  { what: 'unknown placeholder', config: { pipelines: [pipe({ output: { dir: './out', path: '{relDir}/{file}' } })] }, named: ['pipelines[0].output.path', '{file}'] },
  { what: 'template with ..', config: { pipelines: [pipe({ output: { dir: './out', path: '../{base}' } })] }, named: ['pipelines[0].output.path'] },
  { what: 'absolute template', config: { pipelines: [pipe({ output: { dir: './out', path: '/tmp/{base}' } })] }, named: ['pipelines[0].output.path'] },
  // Folders.
  { what: 'output.dir equal to input', config: { pipelines: [pipe({ output: { dir: './in' } })] }, named: ['pipelines[0].output.dir'] },
  { what: 'output.dir containing input', config: { pipelines: [pipe({ output: { dir: '.' } })] }, named: ['pipelines[0].output.dir'] },
  { what: 'moveTo equal to input', config: { pipelines: [pipe({ onSuccess: { moveTo: './in/' } })] }, named: ['pipelines[0].onSuccess.moveTo'] },
  { what: 'failed folder equal to input', config: { pipelines: [pipe({ onFailure: { moveTo: './in' } })] }, named: ['pipelines[0].onFailure.moveTo'] },
  { what: 'stateDir containing input', config: { stateDir: '.', pipelines: [pipe()] }, named: ['stateDir'] },
  {
    what: 'overlapping inputs, one deletes',
    config: { pipelines: [pipe({ name: 'a', output: { dir: './oa' } }), pipe({ name: 'b', input: { dir: './in/sub' }, output: { dir: './ob' }, onSuccess: 'delete' })] },
    named: ['pipelines[1].input'],
  },
  { what: 'duplicate names', config: { pipelines: [pipe(), pipe({ input: { dir: './in2' }, output: { dir: './o2' } })] }, named: ['pipelines[1].name'] },
  // Transforms.
  { what: 'unknown transform', config: stages({ use: 'zipper' }), named: ['pipelines[0].stages[0].use', 'zipper'] },
  { what: 'missing module', config: stages({ use: './missing.mjs' }), named: ['pipelines[0].stages[0].use', 'does not exist'] },
  { what: 'module with a syntax error', config: stages({ use: './syntax.mjs' }), named: ['pipelines[0].stages[0].use', 'failed to import'] },
  { what: 'module without a default export', config: stages({ use: './nodefault.mjs' }), named: ['pipelines[0].stages[0].use', 'no default export'] },
  { what: "module's validate refuses", config: stages({ use: './strict.mjs', with: { n: 'x' } }), named: ['pipelines[0].stages[0].with', 'n must be a number'] },
  { what: 'gzip level', config: stages({ use: 'gzip', with: { level: 12 } }), named: ['pipelines[0].stages[0].with.level'] },
  { what: 'copy takes no options', config: stages({ use: 'copy', with: { fast: true } }), named: ['pipelines[0].stages[0].with.fast'] },
  { what: 'replace bad regex', config: stages({ use: 'replace', with: { pattern: '(' } }), named: ['pipelines[0].stages[0].with.pattern'] },
  { what: 'replace without pattern', config: stages({ use: 'replace' }), named: ['pipelines[0].stages[0].with'] },
  { what: 'json indent', config: stages({ use: 'json', with: { indent: 'two' } }), named: ['pipelines[0].stages[0].with.indent'] },
  { what: 'exec with no program', config: stages({ use: 'exec', with: { command: [] } }), named: ['pipelines[0].stages[0].with.command'] },
  { what: 'exec command a string', config: stages({ use: 'exec', with: { command: 'cp {in} {out}' } }), named: ['pipelines[0].stages[0].with.command'] },
  { what: 'gunzip takes no options', config: stages({ use: 'gunzip', with: { level: 1 } }), named: ['pipelines[0].stages[0].with.level'] },
  // Files that are not configs.
  { what: 'YAML syntax error', config: 'pipelines:\n  - name: p\n    stages: [ { use: copy }\n  - name: q\n', named: ['line'] },
  { what: 'empty file', config: '', named: ['sluice.yaml'] },
  { what: 'a list, not a mapping', config: '- a\n- b\n', named: ['sluice.yaml'] },
  // Problems of different kinds reported together: the schema's, the folder checks', the transforms'.
  {
    what: 'schema errors with overlapping inputs and equal folders',
    config: {
      queue: { capacity: -1 },
      pipelines: [
        pipe({ name: 'a', output: { dir: './in' }, retry: { attempts: 0 } }),
        pipe({ name: 'b', input: { dir: './in/sub' }, output: { dir: './ob' }, onSuccess: 'delete', stages: [{ use: 'zip' }] }),
      ],
    },
    named: ['queue.capacity', 'pipelines[0].retry.attempts', 'pipelines[0].output.dir', 'pipelines[1].input', 'pipelines[1].stages[0].use'],
  },
];

describe('every config refusal: exit 2, the key named, no stack trace', () => {
  let box: Sandbox;
  before(() => {
    box = Sandbox.create();
    box.write('syntax.mjs', 'export default function (ctx {\n}\n');
    box.write('nodefault.mjs', 'export async function run() {}\n');
    box.write('strict.mjs', `export default async () => {};
export function validate(o) { if (typeof o.n !== 'number') return 'n must be a number'; }
`);
  });
  after(async () => {
    await box.dispose();
  });

  for (const c of cases) {
    test(c.what, async () => {
      writeConfig(box, c.config);
      const r = await box.run(['check']);
      assert.equal(r.code, 2, `exit code; stderr:\n${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.ok(!hasStackTrace(r.stderr), `stack trace:\n${r.stderr}`);
      assert.match(r.stderr, /^sluice: /);
      for (const key of c.named) assert.ok(r.stderr.includes(key), `stderr does not name ${key}:\n${r.stderr}`);
    });
  }

  test('run and watch refuse a bad config the same way, before touching anything', async () => {
    writeConfig(box, { pipelines: [pipe({ output: { dir: './in' } })] });
    for (const command of ['run', 'watch']) {
      const r = await box.run([command]);
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.ok(r.stderr.includes('pipelines[0].output.dir'), r.stderr);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    }
    assert.equal(box.read('.sluice/state.db'), null, 'no state store was created');
  });
});
