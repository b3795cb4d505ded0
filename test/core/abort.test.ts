import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';

import { AbortedError } from '../../src/errors.js';
import { MAX_DELAY_MS, abortReason, linkSignals, sleep, throwIfAborted, withTimeout } from '../../src/core/abort.js';
import { flush, listeners, track } from '../helpers/async.js';

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;


describe('abortReason', () => {
  it('keeps a meaningful Error reason', () => {
    const reason = new Error('shutdown');
    const ac = new AbortController();
    ac.abort(reason);
    assert.equal(abortReason(ac.signal), reason);
  });

  it('turns a bare abort or a non-Error reason into AbortedError', () => {
    const bare = new AbortController();
    bare.abort();
    assert.ok(abortReason(bare.signal) instanceof AbortedError);
    assert.equal((abortReason(bare.signal) as AbortedError).code, 'ABORTED');
    const text = new AbortController();
    text.abort('input changed');
    assert.equal((abortReason(text.signal) as AbortedError).code, 'ABORTED');
    assert.equal(abortReason(text.signal).message, 'input changed');
  });

  it('throwIfAborted throws only once aborted', () => {
    const ac = new AbortController();
    throwIfAborted(undefined);
    throwIfAborted(ac.signal);
    ac.abort(new Error('x'));
    assert.throws(() => throwIfAborted(ac.signal), /x/);
  });
});

describe('sleep (mock timers)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('resolves once the delay has elapsed, not before', async () => {
    const t = track(sleep(100));
    mock.timers.tick(99);
    await flush();
    assert.equal(t.state, 'pending');
    mock.timers.tick(1);
    await flush();
    assert.equal(t.state, 'fulfilled');
  });

  it('rejects with the reason on abort and removes its listener', async () => {
    const ac = new AbortController();
    const reason = new Error('stop');
    const t = track(sleep(100, { signal: ac.signal }));
    assert.equal(listeners(ac.signal), 1);
    ac.abort(reason);
    await flush();
    assert.equal(t.state, 'rejected');
    assert.equal(t.error, reason);
    assert.equal(listeners(ac.signal), 0);
  });

  it('removes its listener when the timer fires', async () => {
    const ac = new AbortController();
    const t = track(sleep(5, { signal: ac.signal }));
    mock.timers.tick(5);
    await flush();
    assert.equal(t.state, 'fulfilled');
    assert.equal(listeners(ac.signal), 0);
  });

  it('Infinity waits for the signal alone', async () => {
    const ac = new AbortController();
    const t = track(sleep(Infinity, { signal: ac.signal }));
    mock.timers.tick(MAX_DELAY_MS);
    await flush();
    assert.equal(t.state, 'pending');
    ac.abort(new Error('done'));
    await flush();
    assert.equal(t.state, 'rejected');
  });
});

describe('sleep (real timers)', () => {
  it('rejects at once for an aborted signal, adding no listener', async () => {
    const ac = new AbortController();
    ac.abort(new Error('early'));
    await assert.rejects(sleep(10, { signal: ac.signal }), /early/);
    assert.equal(listeners(ac.signal), 0);
  });

  it('clears its timer on abort', async () => {
    const before = activeTimers();
    const ac = new AbortController();
    const p = sleep(60_000, { signal: ac.signal });
    assert.equal(activeTimers(), before + 1);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.equal(activeTimers(), before);
  });

  it('refuses delays a timer cannot hold', () => {
    for (const ms of [-1, Number.NaN, MAX_DELAY_MS + 1]) assert.throws(() => sleep(ms), RangeError);
  });

  it('resolves a tiny real sleep', async () => {
    await sleep(1);
  });
});

describe('linkSignals', () => {
  it('aborts with the reason of whichever input aborts, then drops every listener', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, undefined, b.signal);
    assert.equal(listeners(a.signal), 1);
    assert.equal(listeners(b.signal), 1);
    const reason = new Error('b went');
    b.abort(reason);
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, reason);
    assert.equal(listeners(a.signal), 0);
    assert.equal(listeners(b.signal), 0);
  });

  it('dispose removes the listeners and is idempotent', () => {
    const a = new AbortController();
    const linked = linkSignals(a.signal);
    linked.dispose();
    linked.dispose();
    assert.equal(listeners(a.signal), 0);
    a.abort();
    assert.equal(linked.signal.aborted, false);
  });

  it('is aborted at once when an input already is', () => {
    const a = new AbortController();
    const b = new AbortController();
    b.abort('gone');
    const linked = linkSignals(a.signal, b.signal);
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, 'gone');
    assert.equal(listeners(a.signal), 0);
  });

  it('with no inputs never aborts', () => {
    assert.equal(linkSignals().signal.aborted, false);
  });
});

describe('withTimeout (mock timers)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('rejects with onTimeout() at the deadline even when fn never settles, aborting its signal', async () => {
    const timeout = new Error('too slow');
    let inner: AbortSignal | undefined;
    const outer = new AbortController();
    const t = track(
      withTimeout(
        (signal) => {
          inner = signal;
          return new Promise<never>(() => {});
        },
        50,
        { signal: outer.signal, onTimeout: () => timeout },
      ),
    );
    mock.timers.tick(49);
    await flush();
    assert.equal(t.state, 'pending');
    assert.equal(inner?.aborted, false);
    mock.timers.tick(1);
    await flush();
    assert.equal(t.state, 'rejected');
    assert.equal(t.error, timeout);
    assert.equal(inner?.reason, timeout);
    assert.equal(listeners(outer.signal), 0);
  });

  it('resolves with fn’s value before the deadline and never calls onTimeout', async () => {
    let calls = 0;
    const outer = new AbortController();
    const value = await withTimeout(async () => 42, 50, {
      signal: outer.signal,
      onTimeout: () => {
        calls++;
        return new Error('late');
      },
    });
    assert.equal(value, 42);
    mock.timers.tick(1000);
    assert.equal(calls, 0);
    assert.equal(listeners(outer.signal), 0);
  });

  it('rejects with the outer reason when the outer signal aborts first', async () => {
    const outer = new AbortController();
    let inner: AbortSignal | undefined;
    const t = track(
      withTimeout(
        (signal) => {
          inner = signal;
          return new Promise<never>(() => {});
        },
        50,
        { signal: outer.signal, onTimeout: () => new Error('late') },
      ),
    );
    const reason = new Error('shutdown');
    outer.abort(reason);
    await flush();
    assert.equal(t.error, reason);
    assert.equal(inner?.reason, reason);
    mock.timers.tick(100);
    assert.equal(listeners(outer.signal), 0);
  });

  it('ignores a late rejection of fn after the deadline (no unhandled rejection)', async () => {
    let rejectLate: (err: Error) => void = () => {};
    const p = withTimeout(() => new Promise<never>((_, reject) => (rejectLate = reject)), 10, {
      onTimeout: () => new Error('deadline'),
    });
    mock.timers.tick(10);
    await assert.rejects(p, /deadline/);
    rejectLate(new Error('late failure'));
    await flush();
  });
});

describe('withTimeout (real timers)', () => {
  it('passes fn’s rejection through and clears its timer', async () => {
    const before = activeTimers();
    const failure = new Error('boom');
    await assert.rejects(
      withTimeout(() => Promise.reject(failure), 60_000, { onTimeout: () => new Error('late') }),
      (err) => err === failure,
    );
    assert.equal(activeTimers(), before);
  });

  it('clears its timer when fn resolves', async () => {
    const before = activeTimers();
    assert.equal(await withTimeout(async () => 'ok', 60_000, { onTimeout: () => new Error('late') }), 'ok');
    assert.equal(activeTimers(), before);
  });

  it('turns a synchronous throw of fn into a rejection', async () => {
    const before = activeTimers();
    await assert.rejects(
      withTimeout(
        () => {
          throw new Error('sync');
        },
        60_000,
        { onTimeout: () => new Error('late') },
      ),
      /sync/,
    );
    assert.equal(activeTimers(), before);
  });

  it('rejects at once for an already-aborted signal without calling fn', async () => {
    const ac = new AbortController();
    ac.abort(new Error('early'));
    let called = false;
    await assert.rejects(
      withTimeout(async () => (called = true), 10, { signal: ac.signal, onTimeout: () => new Error('late') }),
      /early/,
    );
    assert.equal(called, false);
  });
});
