// The physical floor of the small-file case: gzip -6 compute alone. Reads every file under <src> into memory, gives each
// of <threads> worker threads its share (round robin), lets each warm up on a few, and only then times zlib.gzipSync over
// all of them: no reads, no writes, no thread start-up or first-call compilation in the figure. Prints {"ms":…,"files":…,"bytesIn":…,"bytesOut":…} on stdout.
// Usage: node gzip-floor.js <src> <threads>
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';

if (isMainThread) await main();
else worker();

async function main(): Promise<void> {
  const [src, threads] = process.argv.slice(2) as [string, string];
  const rels = (fs.readdirSync(src, { recursive: true }) as string[]).filter((r) => fs.statSync(path.join(src, r)).isFile());
  const data = rels.map((r) => fs.readFileSync(path.join(src, r)));
  const shares = Array.from({ length: Number(threads) }, (_, t) => data.filter((_d, i) => i % Number(threads) === t));
  const workers = shares.map((share) => new Worker(new URL(import.meta.url), { workerData: share }));
  const message = (w: Worker) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject));
  await Promise.all(workers.map(message));
  const started = performance.now();
  const done = workers.map(message);
  for (const w of workers) w.postMessage('go');
  const bytesOut = (await Promise.all(done)).reduce((a, b) => a + b, 0);
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  const bytesIn = data.reduce((a, d) => a + d.length, 0);
  console.log(JSON.stringify({ ms, files: data.length, bytesIn, bytesOut }));
}

function worker(): void {
  const share = workerData as Uint8Array[];
  parentPort!.once('message', () => {
    let bytesOut = 0;
    for (const d of share) bytesOut += zlib.gzipSync(d, { level: 6 }).length;
    parentPort!.postMessage(bytesOut);
  });
  for (const d of share.slice(0, 20)) zlib.gzipSync(d, { level: 6 });
  parentPort!.postMessage(0);
}
