import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueRoom } from '../../src/cluster/queue-room.js';

describe('QueueRoom', () => {
  it('lets producers through below the limit and holds them while the backlog is at it, until it drains', async () => {
    let backlog = 5;
    let reads = 0;
    const room = new QueueRoom(5, async () => {
      reads += 1;
      return backlog;
    });
    let through = false;
    const waiting = room.wait().then(() => (through = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(through, false, 'held at the limit');
    backlog = 4;
    await waiting;
    assert.ok(reads >= 2, 'it read the backlog again');
    await room.wait();
  });

  it('a wait is abortable', async () => {
    const room = new QueueRoom(1, async () => 10);
    const ac = new AbortController();
    const waiting = room.wait(ac.signal);
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await assert.rejects(waiting, /stop/);
  });
});
