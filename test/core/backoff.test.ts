import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { backoffDelay } from '../../src/core/backoff.js';

const options = fc.record({
  backoffMs: fc.integer({ min: 0, max: 100_000 }),
  maxBackoffMs: fc.integer({ min: 0, max: 10_000_000 }),
});

describe('backoffDelay', () => {
  it('doubles from backoffMs and is capped by maxBackoffMs (random fixed at its ends)', () => {
    const o = { backoffMs: 100, maxBackoffMs: 1000 };
    assert.deepEqual([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, o, () => 1)), [100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, o, () => 0)), [50, 100, 200, 400, 500]);
  });

  it('stays within [d/2, d] for any attempt and draw (equal jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), options, fc.double({ min: 0, max: 1, maxExcluded: true }), (attempt, o, r) => {
        const d = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.min(attempt - 1, 1023));
        const delay = backoffDelay(attempt, o, () => r);
        assert.ok(Number.isFinite(delay));
        assert.ok(delay >= d / 2 && delay <= d, `${delay} not in [${d / 2}, ${d}]`);
      }),
    );
  });

  it('is pure and monotone in the draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), options, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, o, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        assert.equal(backoffDelay(attempt, o, () => r1), backoffDelay(attempt, o, () => r1));
        assert.ok(backoffDelay(attempt, o, () => lo) <= backoffDelay(attempt, o, () => hi));
      }),
    );
  });

  it('clamps a misbehaving random source', () => {
    const o = { backoffMs: 100, maxBackoffMs: 1000 };
    assert.equal(backoffDelay(1, o, () => 7), 100);
    assert.equal(backoffDelay(1, o, () => -1), 50);
    assert.equal(backoffDelay(1, o, () => Number.NaN), 50);
  });

  it('refuses invalid input', () => {
    const o = { backoffMs: 100, maxBackoffMs: 1000 };
    for (const attempt of [0, -1, 1.5, Number.NaN]) assert.throws(() => backoffDelay(attempt, o), RangeError);
    assert.throws(() => backoffDelay(1, { backoffMs: -1, maxBackoffMs: 10 }), RangeError);
    assert.throws(() => backoffDelay(1, { backoffMs: 1, maxBackoffMs: Infinity }), RangeError);
  });
});
