import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { copy } from '../../src/transforms/builtin/copy.js';
import { gunzip } from '../../src/transforms/builtin/gunzip.js';
import { gzip } from '../../src/transforms/builtin/gzip.js';
import { SMALL_FILE_MAX_BYTES, smallFile } from '../../src/transforms/small-file.js';
import { fixture, rejectsWith } from './fixture.js';

describe('small-file path', () => {
  test('copy, gzip and gunzip of a small input report a durable output with the right bytes', async (t) => {
    const f = await fixture(t);
    const data = randomBytes(10_000);
    await f.write('in', data);
    assert.deepEqual(await copy.run(await f.context(copy, undefined, 'in', { output: 'copied' })), { durable: true });
    assert.ok((await f.read('copied')).equals(data));
    assert.deepEqual(await gzip.run(await f.context(gzip, { level: 9 }, 'in', { output: 'in.gz' })), { durable: true });
    assert.ok(gunzipSync(await f.read('in.gz')).equals(data));
    assert.deepEqual(await gunzip.run(await f.context(gunzip, undefined, 'in.gz', { output: 'back' })), { durable: true });
    assert.ok((await f.read('back')).equals(data));
  });

  test('a stage whose output feeds another stage (last: false) writes it without claiming it durable', async (t) => {
    const f = await fixture(t);
    const data = randomBytes(5_000);
    await f.write('in', data);
    const ctx = { ...(await f.context(gzip, undefined, 'in', { output: 'mid.gz' })), last: false };
    assert.deepEqual(await gzip.run(ctx), { durable: false });
    assert.ok(gunzipSync(await f.read('mid.gz')).equals(data));
  });

  test('an empty input makes an empty copy and a valid gzip of nothing', async (t) => {
    const f = await fixture(t);
    await f.write('empty', '');
    await copy.run(await f.context(copy, undefined, 'empty', { output: 'copied' }));
    assert.equal((await f.read('copied')).length, 0);
    await gzip.run(await f.context(gzip, undefined, 'empty', { output: 'e.gz' }));
    assert.equal(gunzipSync(await f.read('e.gz')).length, 0);
  });

  test('an input over the limit is left to streaming: smallFile writes nothing and says so', async (t) => {
    const f = await fixture(t);
    const data = randomBytes(SMALL_FILE_MAX_BYTES + 1);
    await f.write('big', data);
    const ctx = await f.context(copy, undefined, 'big', { output: 'out' });
    assert.equal(await smallFile('copy', ctx), null);
    await assert.rejects(f.read('out'), { code: 'ENOENT' });
    // A later stage's input is a temp file whose size the source does not tell: the worker measures it.
    assert.equal(await smallFile('copy', { ...ctx, source: { ...ctx.source, size: 0 } }), null);
    await assert.rejects(f.read('out'), { code: 'ENOENT' });
    assert.equal(await copy.run(ctx), undefined, 'streamed, so not reported durable');
    assert.ok((await f.read('out')).equals(data));
  });

  test('gunzip of a small input that expands past the limit streams instead of holding the result', async (t) => {
    const f = await fixture(t);
    const data = Buffer.alloc(SMALL_FILE_MAX_BYTES * 8, 'a');
    await f.write('bomb.gz', gzipSync(data));
    assert.equal(await gunzip.run(await f.context(gunzip, undefined, 'bomb.gz', { output: 'out' })), undefined);
    assert.ok((await f.read('out')).equals(data));
  });

  test('errors keep their code: a missing input is ENOENT, corrupt gzip is INPUT_INVALID (permanent)', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'x');
    const ctx = await f.context(copy, undefined, 'in');
    await rejectsWith(smallFile('copy', { ...ctx, input: f.path('missing') }), 'ENOENT');
    await f.write('bad.gz', Buffer.concat([gzipSync(Buffer.from('hello')).subarray(0, 12), Buffer.from('garbage!')]));
    await rejectsWith(gunzip.run(await f.context(gunzip, undefined, 'bad.gz')), 'INPUT_INVALID', 'permanent');
  });
});
