import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { EventStream } from '../../src/http/event-stream.js';
import { waitFor } from '../helpers/process.js';

describe('EventStream', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  /** A server whose every request becomes a stream (503 when refused), and a client that counts `status` events. */
  async function serve(stream: EventStream) {
    const server = http.createServer((_, res) => {
      if (!stream.attach(res)) res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      stream.close();
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    return () => new Promise<{ status: number; events: unknown[]; req: http.ClientRequest }>((resolve) => {
      const events: unknown[] = [];
      const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
        resolve({ status: res.statusCode ?? 0, events, req });
        res.setEncoding('utf8').on('data', (s: string) => {
          for (const m of s.matchAll(/event: status\ndata: (.*)\n\n/g)) events.push(JSON.parse(m[1]!));
        });
      });
      cleanup.push(() => req.destroy());
    });
  }

  it('sends the state at once, then coalesces a burst of changes into a few events, to every client', async () => {
    let n = 0;
    const stream = new EventStream({ snapshot: async () => ({ n: ++n }), minGapMs: 50 });
    const connect = await serve(stream);
    const [a, b] = [await connect(), await connect()];
    await waitFor('the first event of each', () => a.events.length >= 1 && b.events.length >= 1);
    const before = n;
    for (let i = 0; i < 1000; i++) stream.changed();
    await waitFor('the burst sent', () => a.events.some((e) => (e as { n: number }).n > before));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(n - before <= 3, `1,000 changes, ${n - before} snapshots`);
    assert.deepEqual(a.events.at(-1), b.events.at(-1), 'one snapshot for every client');
  });

  it('refuses streams past maxClients and takes one again when a client leaves', async () => {
    const stream = new EventStream({ snapshot: async () => ({}), maxClients: 2 });
    const connect = await serve(stream);
    const first = await connect();
    await connect();
    assert.equal((await connect()).status, 503);
    first.req.destroy();
    await waitFor('room again', async () => (await connect()).status === 200);
  });
});
