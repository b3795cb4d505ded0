import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { CoalescingSet } from '../../src/core/coalesce.js';

describe('CoalescingSet', () => {
  it('merges repeats, refuses new keys when full, and hands keys out oldest first', () => {
    const set = new CoalescingSet<string>(2);
    assert.equal(set.add('a'), 'added');
    assert.equal(set.add('b'), 'added');
    assert.equal(set.add('a'), 'merged');
    assert.equal(set.add('c'), 'full');
    assert.equal(set.has('c'), false);
    assert.equal(set.size, 2);
    assert.equal(set.take(), 'a');
    assert.equal(set.add('c'), 'added');
    assert.equal(set.delete('b'), true);
    assert.equal(set.delete('b'), false);
    assert.equal(set.take(), 'c');
    assert.equal(set.take(), undefined);
  });

  it('refuses an invalid capacity', () => {
    for (const c of [0, -1, 2.5, Number.NaN]) assert.throws(() => new CoalescingSet(c), RangeError);
  });

  it('behaves like a bounded insertion-ordered model under random operations', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), key: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ t: fc.constant('take' as const) }),
      fc.record({ t: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 6 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
        const set = new CoalescingSet<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          if (o.t === 'add') {
            const expected = model.includes(o.key) ? 'merged' : model.length >= capacity ? 'full' : 'added';
            if (expected === 'added') model.push(o.key);
            assert.equal(set.add(o.key), expected);
          } else if (o.t === 'take') {
            assert.equal(set.take(), model.shift());
          } else {
            const i = model.indexOf(o.key);
            if (i >= 0) model.splice(i, 1);
            assert.equal(set.delete(o.key), i >= 0);
          }
          assert.equal(set.size, model.length);
          assert.ok(set.size <= capacity);
        }
      }),
    );
  });
});
