import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzip } from '../../src/transforms/builtin/gzip.js';
import { builtinNames, isBuiltin, resolveTransform } from '../../src/transforms/registry.js';
import { fixture, rejectsWith } from './fixture.js';

describe('registry', () => {
  test('lists and resolves the built-ins', async () => {
    assert.deepEqual([...builtinNames].sort(), ['copy', 'exec', 'gunzip', 'gzip', 'json', 'replace']);
    for (const name of builtinNames) {
      assert.ok(isBuiltin(name));
      assert.equal((await resolveTransform(name, '/nowhere')).name, name);
    }
    assert.equal(await resolveTransform('gzip', '/nowhere'), gzip);
    assert.equal(isBuiltin('./gzip'), false);
  });

  test('an unknown bare name is permanent TRANSFORM_UNKNOWN, even if such a file exists', async (t) => {
    const f = await fixture(t);
    await f.write('mine.mjs', 'export default async () => {};');
    for (const use of ['gzipp', 'mine.mjs', 'lib/mine.mjs', '']) {
      await rejectsWith(resolveTransform(use, f.dir), 'TRANSFORM_UNKNOWN', 'permanent');
    }
  });

  test('module paths resolve against baseDir and are cached per absolute path', async (t) => {
    const f = await fixture(t);
    const path = await f.write('mine.mjs', 'export default async () => {};');
    const relative = await resolveTransform('./mine.mjs', f.dir);
    assert.equal(relative.name, path);
    assert.equal(await resolveTransform(path, '/elsewhere'), relative);
    assert.equal(await resolveTransform('../mine.mjs', f.path('sub')), relative);
  });

  test('a failed load is not cached', async (t) => {
    const f = await fixture(t);
    await rejectsWith(resolveTransform('./later.mjs', f.dir), 'TRANSFORM_MODULE_INVALID', 'permanent');
    await f.write('later.mjs', 'export default async () => {};');
    assert.equal((await resolveTransform('./later.mjs', f.dir)).name, f.path('later.mjs'));
  });
});
