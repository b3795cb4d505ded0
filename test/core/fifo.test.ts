import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { Fifo } from '../../src/core/fifo.js';

describe('Fifo', () => {
  it('matches an array model across growth and wrap-around', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) assert.equal(fifo.shift(), model.shift());
          else {
            fifo.push(op);
            model.push(op);
          }
          assert.equal(fifo.size, model.length);
        }
        while (model.length > 0) assert.equal(fifo.shift(), model.shift());
        assert.equal(fifo.shift(), undefined);
      }),
    );
  });
});
