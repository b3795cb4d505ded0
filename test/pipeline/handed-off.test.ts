import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandedOff } from '../../src/pipeline/handed-off.js';

const fp = (size: number) => ({ size, mtimeMs: 1, ino: 2 });

describe('HandedOff', () => {
  it('knows a version handed off within its ttl, not another version, and forgets it after the ttl', async () => {
    const handed = new HandedOff(100);
    handed.remember('p\0a', fp(1));
    assert.equal(handed.has('p\0a', fp(1)), true);
    assert.equal(handed.has('p\0a', fp(2)), false, 'a changed file is looked at again');
    assert.equal(handed.has('p\0b', fp(1)), false);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(handed.has('p\0a', fp(1)), false, 'past its ttl the queue may have lost it');
  });

  it('is bounded: past 100,000 versions the oldest is forgotten first', () => {
    const handed = new HandedOff(60_000);
    for (let i = 0; i <= 100_000; i++) handed.remember(`k${i}`, fp(i));
    assert.equal(handed.has('k0', fp(0)), false);
    assert.equal(handed.has('k1', fp(1)), true);
    assert.equal(handed.has('k100000', fp(100_000)), true);
  });
});
