import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AbortedError, StageTimeoutError } from '../../src/errors.js';
import { copy } from '../../src/transforms/builtin/copy.js';
import { gunzip } from '../../src/transforms/builtin/gunzip.js';
import { gzip } from '../../src/transforms/builtin/gzip.js';
import { fixture, issuePaths, rejectsWith } from './fixture.js';

describe('copy', () => {
  test('copies the bytes unchanged', async (t) => {
    const f = await fixture(t);
    const data = randomBytes(300_000);
    await f.write('in', data);
    await copy.run(await f.context(copy, undefined, 'in'));
    assert.ok((await f.read('out')).equals(data));
  });

  test('takes no options', () => {
    assert.deepEqual(copy.parseOptions({}), { ok: true, value: {} });
    assert.deepEqual(issuePaths(copy, { mode: 1 }), [['mode']]);
  });

  test('an aborted signal rejects with its reason, or ABORTED for a bare abort()', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'x');
    const timeout = new AbortController();
    const reason = new StageTimeoutError('copy', 10);
    timeout.abort(reason);
    const ctx = await f.context(copy, {}, 'in', { signal: timeout.signal });
    await assert.rejects(copy.run(ctx), (err) => err === reason);
    const bare = new AbortController();
    bare.abort();
    const err = await rejectsWith(copy.run(await f.context(copy, {}, 'in', { signal: bare.signal })), 'ABORTED');
    assert.ok(err instanceof AbortedError);
  });
});

describe('gzip and gunzip', () => {
  test('round-trip a multi-MiB random file at every level bound', async (t) => {
    const f = await fixture(t);
    const data = randomBytes(5 * 1024 * 1024 + 123);
    await f.write('in', data);
    for (const level of [0, 9]) {
      await gzip.run(await f.context(gzip, { level }, 'in', { output: 'in.gz' }));
      await gunzip.run(await f.context(gunzip, undefined, 'in.gz', { output: 'back' }));
      assert.ok((await f.read('back')).equals(data));
    }
  });

  test('gzip defaults level to 6 and refuses levels outside 0..9', () => {
    assert.deepEqual(gzip.parseOptions(undefined), { ok: true, value: { level: 6 } });
    for (const level of [-1, 10, 1.5, '6']) assert.deepEqual(issuePaths(gzip, { level }), [['level']]);
    assert.deepEqual(issuePaths(gzip, { levle: 3 }), [['levle']]);
    assert.deepEqual(issuePaths(gunzip, { level: 3 }), [['level']]);
  });

  test('gunzip fails permanently with INPUT_INVALID on data that is not gzip', async (t) => {
    const f = await fixture(t);
    await f.write('plain', 'this is not gzip data at all\n');
    await rejectsWith(gunzip.run(await f.context(gunzip, {}, 'plain')), 'INPUT_INVALID', 'permanent');
  });

  test('gunzip fails permanently with INPUT_INVALID on truncated or empty gzip', async (t) => {
    const f = await fixture(t);
    const whole = gzipSync(randomBytes(100_000));
    await f.write('cut.gz', whole.subarray(0, whole.length - 1000));
    await rejectsWith(gunzip.run(await f.context(gunzip, {}, 'cut.gz')), 'INPUT_INVALID', 'permanent');
    await f.write('empty.gz', '');
    await rejectsWith(gunzip.run(await f.context(gunzip, {}, 'empty.gz')), 'INPUT_INVALID', 'permanent');
  });

  test('a missing input is not INPUT_INVALID (the engine classifies ENOENT)', async (t) => {
    const f = await fixture(t);
    await f.write('in.gz', gzipSync('x'));
    const ctx = { ...(await f.context(gunzip, {}, 'in.gz')), input: f.path('gone.gz') };
    await rejectsWith(gunzip.run(ctx), 'ENOENT');
  });
});
