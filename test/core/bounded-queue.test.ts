import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { SluiceError } from '../../src/errors.js';
import { BoundedQueue, isQueueClosed } from '../../src/core/bounded-queue.js';
import { flush, listeners, track } from '../helpers/async.js';

const hasCode = (code: string) => (err: unknown) => err instanceof SluiceError && err.code === code;


describe('BoundedQueue', () => {
  it('refuses an invalid capacity', () => {
    for (const c of [0, -1, 1.5, Number.NaN, Infinity]) assert.throws(() => new BoundedQueue(c), RangeError);
  });

  it('is FIFO and bounded; tryPut/tryGet never wait', async () => {
    const q = new BoundedQueue<number>(2);
    assert.equal(q.tryPut(1), true);
    await q.put(2);
    assert.equal(q.tryPut(3), false);
    assert.equal(q.size, 2);
    assert.equal(await q.get(), 1);
    assert.equal(q.tryGet(), 2);
    assert.equal(q.tryGet(), undefined);
    assert.equal(q.capacity, 2);
  });

  it('releases waiting producers in call order as space appears', async () => {
    const q = new BoundedQueue<string>(1);
    await q.put('a');
    const b = track(q.put('b'));
    const c = track(q.put('c'));
    assert.equal(q.tryPut('x'), false, 'a newcomer must not overtake waiting producers');
    await flush();
    assert.deepEqual([b.state, c.state], ['pending', 'pending']);
    assert.equal(await q.get(), 'a');
    await flush();
    assert.deepEqual([b.state, c.state], ['fulfilled', 'pending']);
    assert.equal(q.size, 1);
    assert.equal(await q.get(), 'b');
    assert.equal(await q.get(), 'c');
  });

  it('an aborted producer leaves the line, its item never enqueued, its listener removed', async () => {
    const q = new BoundedQueue<string>(1);
    await q.put('a');
    const ac = new AbortController();
    const reason = new Error('gave up');
    const b = track(q.put('b', { signal: ac.signal }));
    const c = track(q.put('c'));
    ac.abort(reason);
    await flush();
    assert.equal(b.error, reason);
    assert.equal(listeners(ac.signal), 0);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'c');
    assert.equal(c.state, 'fulfilled');
    assert.equal(q.size, 0);
    assert.equal(q.pending, 2);
  });

  it('hands an item straight to a waiting consumer; an aborted consumer gets nothing', async () => {
    const q = new BoundedQueue<string>(1);
    const ac = new AbortController();
    const first = track(q.get({ signal: ac.signal }));
    const second = track(q.get());
    ac.abort(new Error('bye'));
    await q.put('x');
    await flush();
    assert.equal(first.state, 'rejected');
    assert.equal(second.value, 'x');
    assert.equal(q.size, 0);
    assert.equal(listeners(ac.signal), 0);
  });

  it('an item handed over is kept even if the consumer aborts in the same tick', async () => {
    const q = new BoundedQueue<string>(1);
    const ac = new AbortController();
    const got = track(q.get({ signal: ac.signal }));
    q.tryPut('x');
    ac.abort(new Error('too late'));
    await flush();
    assert.equal(got.value, 'x');
  });

  it('an already-aborted signal takes nothing and parks nothing', async () => {
    const q = new BoundedQueue<string>(1);
    q.tryPut('a');
    const ac = new AbortController();
    ac.abort(new Error('no'));
    await assert.rejects(q.get({ signal: ac.signal }), /no/);
    await assert.rejects(q.put('b', { signal: ac.signal }), /no/);
    await assert.rejects(q.join({ signal: ac.signal }), /no/);
    assert.equal(q.size, 1);
    assert.equal(q.tryGet(), 'a');
  });

  it('join resolves once every accepted item is marked done', async () => {
    const q = new BoundedQueue<number>(3);
    await q.join();
    q.tryPut(1);
    q.tryPut(2);
    const joined = track(q.join());
    assert.equal(q.pending, 2);
    q.tryGet();
    q.taskDone();
    await flush();
    assert.equal(joined.state, 'pending');
    q.tryGet();
    q.taskDone();
    await flush();
    assert.equal(joined.state, 'fulfilled');
    assert.throws(() => q.taskDone(), hasCode('QUEUE_TASK_DONE'));
  });

  it('taskDone refuses items not yet got', () => {
    const q = new BoundedQueue<number>(3);
    q.tryPut(1);
    assert.throws(() => q.taskDone(), hasCode('QUEUE_TASK_DONE'));
    assert.equal(q.pending, 1);
  });

  it('an aborted join rejects and drops its listener', async () => {
    const q = new BoundedQueue<number>(1);
    q.tryPut(1);
    const ac = new AbortController();
    const joined = q.join({ signal: ac.signal });
    ac.abort(new Error('stop waiting'));
    await assert.rejects(joined, /stop waiting/);
    assert.equal(listeners(ac.signal), 0);
  });

  it('close refuses puts (waiting and new), and gets drain before failing with QUEUE_CLOSED', async () => {
    const q = new BoundedQueue<number>(2);
    q.tryPut(1);
    q.tryPut(2);
    const waiting = q.put(3);
    q.close();
    q.close();
    assert.equal(q.closed, true);
    await assert.rejects(waiting, isQueueClosed);
    await assert.rejects(q.put(4), isQueueClosed);
    assert.throws(() => q.tryPut(4), isQueueClosed);
    assert.equal(await q.get(), 1);
    assert.equal(q.tryGet(), 2);
    await assert.rejects(q.get(), isQueueClosed);
    assert.equal(q.tryGet(), undefined);
  });

  it('close wakes waiting consumers of an empty queue with QUEUE_CLOSED', async () => {
    const q = new BoundedQueue<number>(2);
    const a = q.get();
    const b = q.get();
    q.close();
    await assert.rejects(a, isQueueClosed);
    await assert.rejects(b, isQueueClosed);
  });
});

type Op =
  | { t: 'put' | 'tryPut' | 'get' | 'tryGet' | 'close' | 'done' | 'putThenAbortGet' | 'getThenAbortPut' }
  | { t: 'abortPut' | 'abortGet'; i: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constantFrom<Op>({ t: 'put' }, { t: 'get' }), weight: 6 },
  { arbitrary: fc.constantFrom<Op>({ t: 'tryPut' }, { t: 'tryGet' }, { t: 'done' }), weight: 3 },
  { arbitrary: fc.constantFrom<Op>({ t: 'putThenAbortGet' }, { t: 'getThenAbortPut' }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constantFrom('abortPut' as const, 'abortGet' as const), i: fc.nat() }), weight: 2 },
  { arbitrary: fc.constant<Op>({ t: 'close' }), weight: 1 },
);

interface Waiting {
  ac: AbortController;
  reason: Error;
  settled: boolean;
}

/**
 * Drives a queue through a random program, letting all microtasks settle after each step, and checks the contract
 * after every step: bounded size, FIFO delivery, producers admitted in call order, exact bookkeeping; at the end, no
 * item lost or duplicated and every wait settled.
 */
async function runProgram(capacity: number, ops: Op[]): Promise<void> {
  const q = new BoundedQueue<number>(capacity);
  let nextItem = 0;
  let done = 0;
  const accepted: number[] = [];
  const refused: number[] = [];
  const received: number[] = [];
  const puts: Waiting[] = [];
  const gets: Waiting[] = [];
  const waiting = (list: Waiting[]): Waiting[] => list.filter((w) => !w.settled);
  const abortOne = (list: Waiting[], i: number): void => {
    const open = waiting(list);
    if (open.length > 0) open[i % open.length]!.ac.abort(open[i % open.length]!.reason);
  };
  const expectAbortOrClosed = (w: Waiting) => (err: unknown) => {
    w.settled = true;
    assert.ok(err === w.reason || isQueueClosed(err), `unexpected rejection ${String(err)}`);
  };
  const startPut = (): void => {
    const item = nextItem++;
    const w: Waiting = { ac: new AbortController(), reason: new Error(`abort put ${item}`), settled: false };
    puts.push(w);
    q.put(item, { signal: w.ac.signal }).then(
      () => {
        w.settled = true;
        accepted.push(item);
      },
      (err: unknown) => {
        expectAbortOrClosed(w)(err);
        refused.push(item);
      },
    );
  };
  const startGet = (): void => {
    const w: Waiting = { ac: new AbortController(), reason: new Error('abort get'), settled: false };
    gets.push(w);
    q.get({ signal: w.ac.signal }).then((item) => {
      w.settled = true;
      received.push(item);
    }, expectAbortOrClosed(w));
  };
  const tryGet = (): void => {
    const item = q.tryGet();
    if (item !== undefined) received.push(item);
  };

  for (const op of ops) {
    switch (op.t) {
      case 'put': startPut(); break;
      case 'get': startGet(); break;
      case 'tryGet': tryGet(); break;
      case 'abortPut': abortOne(puts, op.i); break;
      case 'abortGet': abortOne(gets, op.i); break;
      case 'close': q.close(); break;
      case 'tryPut':
        if (q.closed) assert.throws(() => q.tryPut(-1), isQueueClosed);
        else {
          const item = nextItem++;
          (q.tryPut(item) ? accepted : refused).push(item);
        }
        break;
      case 'done':
        if (received.length > done) {
          q.taskDone();
          done++;
        } else assert.throws(() => q.taskDone(), hasCode('QUEUE_TASK_DONE'));
        break;
      case 'putThenAbortGet': // a consumer aborted in the very tick it was handed an item must keep it
        if (!q.closed) startPut();
        abortOne(gets, 0);
        break;
      case 'getThenAbortPut': // a producer aborted in the very tick it was admitted stays admitted
        tryGet();
        abortOne(puts, 0);
        break;
    }
    await flush();
    assert.ok(q.size <= capacity, `size ${q.size} > capacity ${capacity}`);
    assert.equal(q.size, accepted.length - received.length);
    assert.equal(q.pending, accepted.length - done);
    assert.deepEqual(received, accepted.slice(0, received.length), 'items come out in the order they went in');
    for (let i = 1; i < accepted.length; i++) assert.ok(accepted[i - 1]! < accepted[i]!, 'producers admitted in call order');
    if (waiting(gets).length > 0) assert.equal(q.size, 0, 'consumers wait only on an empty queue');
    if (waiting(puts).length > 0) assert.equal(q.size, capacity, 'producers wait only on a full queue');
  }

  q.close();
  await flush();
  while (q.size > 0) tryGet();
  await flush();
  assert.equal(waiting(puts).length + waiting(gets).length, 0, 'every wait settles once closed and drained');
  for (const w of [...puts, ...gets]) assert.equal(listeners(w.ac.signal), 0, 'no listener outlives its wait');
  assert.deepEqual(received, accepted, 'no item lost or duplicated');
  assert.deepEqual([...accepted, ...refused].sort((a, b) => a - b), [...Array(nextItem).keys()]);
}

describe('BoundedQueue properties', () => {
  it('random interleavings of put/get/abort/close keep every contract', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 60 }), runProgram),
      { numRuns: 300 },
    );
  });

  it('join resolves exactly when every accepted item is done', async () => {
    const op = fc.constantFrom('put', 'get', 'done', 'join', 'abortJoin');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 50 }), async (capacity, ops) => {
        const q = new BoundedQueue<number>(capacity);
        let got = 0;
        const joins: { t: ReturnType<typeof track>; ac: AbortController; expectResolved: boolean }[] = [];
        for (const o of ops) {
          if (o === 'put') q.tryPut(1);
          else if (o === 'get' && q.tryGet() !== undefined) got++;
          else if (o === 'done' && got > 0) {
            q.taskDone();
            got--;
          } else if (o === 'join') {
            const ac = new AbortController();
            joins.push({ t: track(q.join({ signal: ac.signal })), ac, expectResolved: false });
          } else if (o === 'abortJoin') joins.find((j) => j.t.state === 'pending')?.ac.abort(new Error('stop'));
          if (q.pending === 0) for (const j of joins) if (j.t.state === 'pending') j.expectResolved = true;
          await flush();
          for (const j of joins) {
            if (j.ac.signal.aborted && !j.expectResolved) assert.equal(j.t.state, 'rejected');
            else assert.equal(j.t.state, j.expectResolved ? 'fulfilled' : 'pending');
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('concurrent producers and consumers under a random schedule deliver everything once, in per-producer order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.array(fc.boolean(), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (s, capacity, producers, consumerCount) => {
          const q = new BoundedQueue<string>(capacity);
          const accepted = new Set<string>();
          const got: string[] = [];
          const step = (label: string): Promise<unknown> => s.schedule(Promise.resolve(label));
          const produce = async (p: number, aborts: boolean[]): Promise<void> => {
            for (const [k, abort] of aborts.entries()) {
              await step(`producer ${p} item ${k}`);
              const item = `${p}:${k}`;
              const ac = new AbortController();
              if (abort) void step(`abort ${item}`).then(() => ac.abort(new Error(`abort ${item}`)));
              try {
                await q.put(item, { signal: ac.signal });
                accepted.add(item);
              } catch (err) {
                assert.equal((err as Error).message, `abort ${item}`);
              }
              assert.ok(q.size <= capacity);
            }
          };
          const consume = async (c: number): Promise<void> => {
            for (;;) {
              await step(`consumer ${c}`);
              let item: string;
              try {
                item = await q.get();
              } catch (err) {
                if (isQueueClosed(err)) return;
                throw err;
              }
              got.push(item);
              q.taskDone();
            }
          };
          let finished = 0;
          const all = [
            ...Array.from({ length: consumerCount }, (_, c) => consume(c).then(() => finished++)),
            Promise.all(producers.map((aborts, p) => produce(p, aborts)))
              .then(() => q.join())
              .then(() => {
                q.close();
                finished++;
              }),
          ];
          await s.waitIdle();
          assert.equal(finished, consumerCount + 1, `stuck tasks\n${s.report().map((r) => r.label).join('\n')}`);
          await Promise.all(all);
          assert.deepEqual([...got].sort(), [...accepted].sort(), 'everything accepted got once');
          for (let p = 0; p < producers.length; p++) {
            const mine = got.filter((item) => item.startsWith(`${p}:`)).map((item) => Number(item.split(':')[1]));
            assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `producer ${p} order`);
          }
          assert.equal(q.pending, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
