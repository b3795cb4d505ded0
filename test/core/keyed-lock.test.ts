import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { KeyedLock } from '../../src/core/keyed-lock.js';
import { flush, listeners, track } from '../helpers/async.js';



describe('KeyedLock', () => {
  it('refuses an invalid maxKeys', () => {
    for (const m of [0, -1, 1.5, Number.NaN]) assert.throws(() => new KeyedLock({ maxKeys: m }), RangeError);
    assert.equal(new KeyedLock().maxKeys, 100_000);
  });

  it('excludes per key, not across keys, and forgets a key once free', async () => {
    const lock = new KeyedLock();
    const a1 = await lock.acquire('a');
    const b1 = await lock.acquire('b');
    assert.equal(lock.size, 2);
    const a2 = track(lock.acquire('a'));
    await flush();
    assert.equal(a2.state, 'pending');
    assert.equal(lock.isLocked('a'), true);
    a1();
    a1();
    await flush();
    assert.equal(a2.state, 'fulfilled');
    assert.equal(lock.size, 2);
    a2.value!();
    b1();
    assert.equal(lock.size, 0);
    assert.equal(lock.isLocked('a'), false);
  });

  it('a second release is a no-op and cannot free a later holder', async () => {
    const lock = new KeyedLock();
    const first = await lock.acquire('k');
    first();
    const second = await lock.acquire('k');
    first();
    assert.equal(lock.isLocked('k'), true);
    const third = track(lock.acquire('k'));
    await flush();
    assert.equal(third.state, 'pending');
    second();
    await flush();
    third.value!();
    assert.equal(lock.size, 0);
  });

  it('an aborted waiter leaves its queue and drops its listener; the table still empties', async () => {
    const lock = new KeyedLock();
    const held = await lock.acquire('k');
    const ac = new AbortController();
    const reason = new Error('changed');
    const aborted = lock.acquire('k', { signal: ac.signal });
    const next = track(lock.acquire('k'));
    ac.abort(reason);
    await assert.rejects(aborted, (err) => err === reason);
    assert.equal(listeners(ac.signal), 0);
    held();
    await flush();
    next.value!();
    assert.equal(lock.size, 0);
  });

  it('tryAcquire takes a free key at once and refuses a held one, or one that would need a slot', async () => {
    const lock = new KeyedLock({ maxKeys: 1 });
    const a = lock.tryAcquire('a');
    assert.ok(a);
    assert.equal(lock.tryAcquire('a'), undefined, 'held');
    assert.equal(lock.tryAcquire('b'), undefined, 'the table is full');
    const waiter = lock.acquire('a');
    a();
    const next = await waiter;
    assert.equal(lock.tryAcquire('a'), undefined, 'the waiter holds it now');
    next();
    assert.equal(lock.size, 0);
    const again = lock.tryAcquire('b');
    assert.ok(again);
    again();
    assert.equal(lock.size, 0);
  });

  it('run releases when fn throws', async () => {
    const lock = new KeyedLock<number>();
    await assert.rejects(lock.run(1, () => Promise.reject(new Error('inner'))), /inner/);
    assert.equal(lock.size, 0);
    assert.equal(await lock.run(1, () => 'ok'), 'ok');
  });

  it('at maxKeys a new key waits for a free slot, in call order; waiters of a held key need none', async () => {
    const lock = new KeyedLock({ maxKeys: 1 });
    const a = await lock.acquire('a');
    const b = track(lock.acquire('b'));
    const c = track(lock.acquire('c'));
    const aAgain = track(lock.acquire('a'));
    await flush();
    assert.equal(lock.size, 1);
    assert.equal(lock.waitingForSlot, 2);
    a();
    await flush();
    assert.equal(aAgain.state, 'fulfilled', 'a is handed to its own waiter, still in its slot');
    assert.equal(b.state, 'pending');
    aAgain.value!();
    await flush();
    assert.equal(b.state, 'fulfilled');
    assert.equal(c.state, 'pending');
    assert.equal(lock.size, 1);
    b.value!();
    await flush();
    assert.equal(c.state, 'fulfilled');
    c.value!();
    assert.equal(lock.size, 0);
    assert.equal(lock.waitingForSlot, 0);
  });

  it('acquirers of one key parked for a slot queue behind the first admitted, keeping their order', async () => {
    const lock = new KeyedLock({ maxKeys: 1 });
    const a = await lock.acquire('a');
    const b1 = track(lock.acquire('b'));
    const c = track(lock.acquire('c'));
    const b2 = track(lock.acquire('b'));
    a();
    await flush();
    assert.equal(b1.state, 'fulfilled');
    assert.equal(lock.waitingForSlot, 1, 'only c still needs a slot');
    const b3 = track(lock.acquire('b'));
    b1.value!();
    await flush();
    assert.equal(b2.state, 'fulfilled');
    assert.equal(b3.state, 'pending');
    b2.value!();
    await flush();
    b3.value!();
    await flush();
    assert.equal(c.state, 'fulfilled');
    c.value!();
    assert.equal(lock.size, 0);
  });

  it('an acquirer aborted while waiting for a slot leaves no trace', async () => {
    const lock = new KeyedLock({ maxKeys: 1 });
    const a = await lock.acquire('a');
    const ac = new AbortController();
    const b = lock.acquire('b', { signal: ac.signal });
    ac.abort(new Error('nope'));
    await assert.rejects(b, /nope/);
    assert.equal(lock.waitingForSlot, 0);
    assert.equal(listeners(ac.signal), 0);
    a();
    assert.equal(lock.size, 0);
  });

  it('under a random schedule: ≤ 1 holder per key, FIFO per key, ≤ maxKeys keys, no deadlock, empty when idle', async () => {
    const task = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), abort: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(task, { minLength: 1, maxLength: 16 }),
        async (s, maxKeys, tasks) => {
          const lock = new KeyedLock<string>({ maxKeys });
          const holders = new Map<string, number>();
          const called = new Map<string, number[]>();
          const granted = new Map<string, number[]>();
          const push = (m: Map<string, number[]>, k: string, i: number): number => m.set(k, [...(m.get(k) ?? []), i]).size;
          let finished = 0;
          const signals: AbortSignal[] = [];
          const runs = tasks.map(async ({ key, abort }, i) => {
            await s.schedule(Promise.resolve(`start ${i}`));
            const ac = new AbortController();
            signals.push(ac.signal);
            if (abort) void s.schedule(Promise.resolve(`abort ${i}`)).then(() => ac.abort(new Error(`abort ${i}`)));
            push(called, key, i);
            try {
              await lock.run(
                key,
                async () => {
                  push(granted, key, i);
                  holders.set(key, (holders.get(key) ?? 0) + 1);
                  assert.equal(holders.get(key), 1, `two holders of ${key}`);
                  assert.ok(lock.size <= maxKeys, `${lock.size} keys > maxKeys ${maxKeys}`);
                  await s.schedule(Promise.resolve(`work ${i}`));
                  holders.set(key, holders.get(key)! - 1);
                },
                { signal: ac.signal },
              );
            } catch (err) {
              assert.equal((err as Error).message, `abort ${i}`);
            }
            finished++;
          });
          await s.waitIdle();
          assert.equal(finished, tasks.length, `deadlock:\n${s.report().map((r) => r.label).join('\n')}`);
          await Promise.all(runs);
          for (const [key, order] of granted) {
            const rank = (i: number): number => called.get(key)!.indexOf(i);
            for (let k = 1; k < order.length; k++) assert.ok(rank(order[k - 1]!) < rank(order[k]!), `FIFO on ${key}`);
          }
          for (const [i, t] of tasks.entries()) if (!t.abort) assert.ok(granted.get(t.key)?.includes(i), `task ${i} ran`);
          assert.equal(lock.size, 0);
          assert.equal(lock.waitingForSlot, 0);
          for (const signal of signals) assert.equal(listeners(signal), 0, 'no listener outlives its wait');
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('KeyedLock.acquireAll', () => {
  it('takes overlapping sets asked in opposite orders one after the other, never deadlocking', async () => {
    const lock = new KeyedLock<string>();
    const order: string[] = [];
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const release = await lock.acquireAll(i % 2 ? ['a', 'b', 'a'] : ['b', 'a']);
      order.push(`in ${i}`);
      await flush();
      order.push(`out ${i}`);
      release();
    }));
    for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.slice(3), order[i + 1]!.slice(4), 'holders never overlap');
    assert.equal(lock.size, 0);
  });

  it('an aborted acquireAll frees the keys it had taken', async () => {
    const lock = new KeyedLock<string>();
    const held = await lock.acquire('b');
    const controller = new AbortController();
    const all = track(lock.acquireAll(['a', 'b'], { signal: controller.signal }));
    await flush();
    assert.equal(lock.isLocked('a'), true, 'a is taken while it waits for b');
    controller.abort(new Error('stop'));
    await flush();
    assert.equal(all.state, 'rejected');
    assert.equal(lock.isLocked('a'), false);
    held();
    assert.equal(lock.size, 0);
  });
});
