import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { Semaphore } from '../../src/core/semaphore.js';
import { listeners } from '../helpers/async.js';


describe('Semaphore', () => {
  it('refuses an invalid permit count', () => {
    for (const p of [0, -1, 1.5, Number.NaN, Infinity]) assert.throws(() => new Semaphore(p), RangeError);
  });

  it('serves waiters in call order, and a newcomer never overtakes them', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: string[] = [];
    const ac = new AbortController();
    const b = sem.acquire({ signal: ac.signal }).then((release) => {
      order.push('b');
      return release;
    });
    const c = sem.acquire().then((release) => {
      order.push('c');
      return release;
    });
    assert.equal(sem.waiting, 2);
    assert.equal(sem.tryAcquire(), undefined);
    first();
    (await b)();
    (await c)();
    assert.deepEqual(order, ['b', 'c']);
    assert.equal(listeners(ac.signal), 0, 'a granted waiter leaves no listener');
    assert.equal(sem.available, 1);
    assert.equal(sem.waiting, 0);
  });

  it('release is idempotent', async () => {
    const sem = new Semaphore(2);
    const release = await sem.acquire();
    release();
    release();
    assert.equal(sem.available, 2);
    const other = await sem.acquire();
    const third = await sem.acquire();
    release();
    assert.equal(sem.available, 0, 'a stale release must not free a permit held by someone else');
    other();
    third();
    assert.equal(sem.available, 2);
  });

  it('an aborted waiter leaves the queue, takes nothing, and drops its listener', async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const ac = new AbortController();
    const reason = new Error('cancelled');
    const aborted = sem.acquire({ signal: ac.signal });
    const next = sem.acquire();
    ac.abort(reason);
    await assert.rejects(aborted, (err) => err === reason);
    assert.equal(sem.waiting, 1);
    assert.equal(listeners(ac.signal), 0);
    held();
    (await next)();
    assert.equal(sem.available, 1);
  });

  it('an already-aborted signal rejects even with permits free', async () => {
    const sem = new Semaphore(1);
    const ac = new AbortController();
    ac.abort(new Error('no'));
    await assert.rejects(sem.acquire({ signal: ac.signal }), /no/);
    assert.equal(sem.available, 1);
  });

  it('run releases when fn throws', async () => {
    const sem = new Semaphore(1);
    await assert.rejects(
      sem.run(() => {
        throw new Error('inner');
      }),
      /inner/,
    );
    assert.equal(sem.available, 1);
    assert.equal(await sem.run(async () => 7), 7);
  });

  it('under a random schedule: at most `permits` holders, grants in call order, no deadlock', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 15 }),
        async (s, permits, aborts) => {
          const sem = new Semaphore(permits);
          let holders = 0;
          const called: number[] = [];
          const granted: number[] = [];
          let finished = 0;
          const signals: AbortSignal[] = [];
          const tasks = aborts.map(async (abort, i) => {
            await s.schedule(Promise.resolve(`start ${i}`));
            const ac = new AbortController();
            signals.push(ac.signal);
            if (abort) void s.schedule(Promise.resolve(`abort ${i}`)).then(() => ac.abort(new Error(`abort ${i}`)));
            called.push(i);
            try {
              await sem.run(
                async () => {
                  granted.push(i);
                  holders++;
                  assert.ok(holders <= permits, `${holders} holders > ${permits} permits`);
                  await s.schedule(Promise.resolve(`work ${i}`));
                  holders--;
                },
                { signal: ac.signal },
              );
            } catch (err) {
              assert.equal((err as Error).message, `abort ${i}`);
            }
            finished++;
          });
          await s.waitIdle();
          assert.equal(finished, aborts.length, 'every task finishes');
          await Promise.all(tasks);
          const rank = (i: number): number => called.indexOf(i);
          for (let k = 1; k < granted.length; k++) assert.ok(rank(granted[k - 1]!) < rank(granted[k]!), 'FIFO');
          for (const [i, abort] of aborts.entries()) if (!abort) assert.ok(granted.includes(i));
          assert.equal(sem.available, permits);
          assert.equal(sem.waiting, 0);
          for (const signal of signals) assert.equal(listeners(signal), 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

