import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ring } from '../../src/core/ring.js';

describe('Ring', () => {
  it('keeps the last `capacity` items, newest first, overwriting the oldest when full', () => {
    const ring = new Ring<number>(3);
    assert.deepEqual(ring.newestFirst(), []);
    ring.push(1);
    ring.push(2);
    assert.deepEqual(ring.newestFirst(), [2, 1]);
    for (const n of [3, 4, 5]) ring.push(n);
    assert.equal(ring.size, 3);
    assert.deepEqual(ring.newestFirst(), [5, 4, 3]);
    ring.clear();
    assert.equal(ring.size, 0);
    assert.deepEqual(ring.newestFirst(), []);
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Ring(bad), RangeError);
  });
});
