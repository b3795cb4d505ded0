import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { loadModuleTransform } from '../../src/transforms/module.js';
import { fixture, issuePaths, rejectsWith } from './fixture.js';

const copyBody = `const { copyFile } = await import('node:fs/promises');`;

describe('loadModuleTransform', () => {
  test('a default-exported function runs; name is the path, digest the sha256 of the file', async (t) => {
    const f = await fixture(t);
    const body = 'export default async (ctx) => { await copyFile(ctx.input, ctx.output); return 42; };';
    const source = `${copyBody}\n${body}\n`;
    const path = await f.write('copy.mjs', source);
    await f.write('in', 'data');
    const def = await loadModuleTransform(path);
    assert.equal(def.name, path);
    assert.equal(def.digest, createHash('sha256').update(source).digest('hex'));
    assert.deepEqual(def.parseOptions(undefined), { ok: true, value: {} });
    assert.deepEqual(def.parseOptions({ any: 1 }), { ok: true, value: { any: 1 } });
    assert.equal(await def.run(await f.context(def, undefined, 'in')), undefined);
    assert.equal((await f.read('out')).toString(), 'data');
  });

  test('a default {run} object runs as a method, with its validate()', async (t) => {
    const f = await fixture(t);
    const path = await f.write(
      'upper.mjs',
      `import { readFile, writeFile } from 'node:fs/promises';
export default {
  suffix: '!',
  validate(options) { if (typeof options.times !== 'number') return 'times must be a number'; },
  async run(ctx) {
    await writeFile(ctx.output, String(await readFile(ctx.input)).repeat(ctx.options.times) + this.suffix);
  },
};`,
    );
    await f.write('in', 'ab');
    const def = await loadModuleTransform(path);
    assert.deepEqual(issuePaths(def, {}), [[]]);
    await def.run(await f.context(def, { times: 2 }, 'in'));
    assert.equal((await f.read('out')).toString(), 'abab!');
  });

  test('a named parseOptions export is used and guarded', async (t) => {
    const f = await fixture(t);
    const path = await f.write(
      'opts.mjs',
      `export default async () => {};
export function parseOptions(raw) {
  if (raw === 'boom') throw 'exploded';
  if (raw?.n === undefined) return { ok: false, issues: [{ path: ['n'], message: 'n is required' }] };
  return raw.n === 'junk' ? 'junk' : { ok: true, value: { n: raw.n * 2 } };
}`,
    );
    const def = await loadModuleTransform(path);
    assert.deepEqual(def.parseOptions({ n: 2 }), { ok: true, value: { n: 4 } });
    assert.deepEqual(issuePaths(def, {}), [['n']]);
    assert.deepEqual(issuePaths(def, 'boom'), [[]]);
    assert.deepEqual(issuePaths(def, { n: 'junk' }), [[]]);
  });

  test('a CommonJS module.exports function works', async (t) => {
    const f = await fixture(t);
    const source = `module.exports = async (ctx) => require('fs').writeFileSync(ctx.output, 'cjs');`;
    const path = await f.write('t.cjs', source);
    await f.write('in', '');
    const def = await loadModuleTransform(path);
    await def.run(await f.context(def, undefined, 'in'));
    assert.equal((await f.read('out')).toString(), 'cjs');
  });

  test('a thrown string becomes a transient TRANSFORM_FAILED; permanent: true is honoured', async (t) => {
    const f = await fixture(t);
    await f.write('in', '');
    const stringy = await loadModuleTransform(await f.write('s.mjs', `export default () => { throw 'bad input'; };`));
    const ctx = await f.context(stringy, undefined, 'in');
    const err = await rejectsWith(stringy.run(ctx), 'TRANSFORM_FAILED', 'transient');
    assert.ok(err instanceof Error);
    const src = `export default { run() { throw Object.assign(new Error('never'), { permanent: true }); } };`;
    const permanent = await loadModuleTransform(await f.write('p.mjs', src));
    await rejectsWith(permanent.run(await f.context(permanent, undefined, 'in')), 'TRANSFORM_FAILED', 'permanent');
  });

  test('an edited module is loaded again with its new code', async (t) => {
    const f = await fixture(t);
    const path = await f.write('v.mjs', `export default async () => { throw 'v1'; };`);
    await f.write('in', '');
    const v1 = await loadModuleTransform(path);
    await f.write('v.mjs', `export default async () => {};`);
    const v2 = await loadModuleTransform(path);
    assert.notEqual(v1.digest, v2.digest);
    await v2.run(await f.context(v2, undefined, 'in'));
  });

  test('unusable modules are permanent TRANSFORM_MODULE_INVALID', async (t) => {
    const f = await fixture(t);
    await mkdir(f.path('folder.mjs'));
    const files: Record<string, string> = {
      'syntax.mjs': 'export default function (ctx {\n}\n',
      'throws.mjs': `throw new Error('top-level failure');`,
      'nodefault.mjs': 'export async function run(ctx) {}\n',
      'number.mjs': 'export default 42;\n',
      'norun.mjs': 'export default { transform() {} };\n',
      'badhook.mjs': 'export default async () => {};\nexport const validate = 3;\n',
    };
    for (const [name, text] of Object.entries(files)) await f.write(name, text);
    for (const name of [...Object.keys(files), 'missing.mjs', 'folder.mjs']) {
      await rejectsWith(loadModuleTransform(f.path(name)), 'TRANSFORM_MODULE_INVALID', 'permanent');
    }
  });
});
