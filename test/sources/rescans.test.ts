import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { Rescans, type ScanVia } from '../../src/sources/rescans.js';

/** Scans that run until the test ends them, one at a time, recording how each was asked for. */
class Scans {
  readonly started: ScanVia[] = [];
  #finish: (() => void) | null = null;

  readonly scan = (via: ScanVia): Promise<void> => {
    assert.equal(this.#finish, null, 'one scan at a time');
    this.started.push(via);
    return new Promise((resolve) => {
      this.#finish = () => {
        this.#finish = null;
        resolve();
      };
    });
  };

  get running(): boolean {
    return this.#finish !== null;
  }

  /** Ends the running scan and lets the follow-up (if any) start. */
  async finish(): Promise<void> {
    assert.ok(this.#finish, 'a scan is running');
    this.#finish();
    await new Promise((r) => setImmediate(r));
  }
}

describe('Rescans', () => {
  test('requests while a scan runs become exactly one more scan after it', async () => {
    const scans = new Scans();
    const rescans = new Rescans({ scan: scans.scan, intervalMs: () => 0 });
    rescans.start('scan');
    for (let i = 0; i < 5; i++) rescans.request();
    assert.deepEqual(scans.started, ['scan']);
    await scans.finish();
    assert.deepEqual(scans.started, ['scan', 'rescan']);
    await scans.finish();
    assert.equal(scans.running, false, 'no request came during the second scan');
    await rescans.close();
  });

  test('paused: no scans, the running one is awaited, and resume() scans once for everything asked meanwhile', async () => {
    const scans = new Scans();
    const rescans = new Rescans({ scan: scans.scan, intervalMs: () => 0 });
    rescans.start('scan');
    let over = false;
    const paused = rescans.pause().then(() => (over = true));
    rescans.request();
    await new Promise((r) => setImmediate(r));
    assert.equal(over, false, 'pause() waits for the running scan');
    await scans.finish();
    await paused;
    assert.equal(scans.running, false, 'a request made while paused waits for resume()');
    rescans.request();
    rescans.resume('scan');
    assert.deepEqual(scans.started, ['scan', 'scan']);
    await scans.finish();
    assert.equal(scans.running, false, 'requests made while paused fold into the scan resume() starts');
    await rescans.close();
  });

  test('close() waits for the running scan, returns the same promise every call, and ignores later requests', async () => {
    const scans = new Scans();
    const rescans = new Rescans({ scan: scans.scan, intervalMs: () => 0 });
    rescans.start();
    rescans.request();
    const closed = rescans.close();
    assert.equal(rescans.close(), closed);
    rescans.request();
    await scans.finish();
    await closed;
    rescans.request();
    assert.deepEqual(scans.started, ['scan'], 'nothing after close(), not even what was asked before it');
  });

  describe('periodic (mock timers)', () => {
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
    afterEach(() => mock.timers.reset());

    test('every intervalMs ± 10 %, re-read each time, and none while paused or once closed', async () => {
      const scans = new Scans();
      let interval = 1000;
      const rescans = new Rescans({ scan: scans.scan, intervalMs: () => interval });
      rescans.start();
      await scans.finish();
      mock.timers.tick(899);
      assert.equal(scans.started.length, 1, 'not before 90 % of the interval');
      mock.timers.tick(202);
      assert.deepEqual(scans.started, ['scan', 'rescan'], 'by 110 % of it');
      await scans.finish();
      interval = 100;
      mock.timers.tick(1100);
      await scans.finish();
      mock.timers.tick(110);
      assert.equal(scans.started.length, 4, 'the new interval applies from the next period');
      await scans.finish();
      void rescans.pause();
      mock.timers.tick(10_000);
      assert.equal(scans.started.length, 4, 'none while paused');
      rescans.resume();
      await scans.finish();
      mock.timers.tick(110);
      assert.equal(scans.started.length, 6, 'resume() restarts them');
      await scans.finish();
      await rescans.close();
      mock.timers.tick(10_000);
      assert.equal(scans.started.length, 6, 'none once closed');
    });

    test('intervalMs 0 turns them off', async () => {
      const scans = new Scans();
      const rescans = new Rescans({ scan: scans.scan, intervalMs: () => 0 });
      rescans.start();
      await scans.finish();
      mock.timers.tick(3_600_000);
      assert.equal(scans.started.length, 1);
      await rescans.close();
    });
  });
});
