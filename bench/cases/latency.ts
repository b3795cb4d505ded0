import fs from 'node:fs';
import path from 'node:path';
import { text, rng } from '../lib/corpus.js';
import { newCase, percentile, round, type CaseResult } from '../lib/report.js';
import { have, Service, sluiceBin, sluiceConfig, until } from '../lib/run.js';

export interface LatencySize { readonly files: number; readonly settledFiles: number }

/** Resolves, per output name, when it appears in `dir` (renamed or created there): the bench's own watch. */
class Arrivals {
  readonly #waiting = new Map<string, () => void>();
  readonly #seen = new Set<string>();
  readonly #watcher: fs.FSWatcher;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.#watcher = fs.watch(dir, (_event, name) => {
      if (typeof name !== 'string' || !fs.existsSync(path.join(dir, name))) return;
      this.#seen.add(name);
      this.#waiting.get(name)?.();
    });
  }

  wait(name: string, timeoutMs: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(name);
        resolve(null);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(name);
        resolve(performance.now());
      };
      if (this.#seen.has(name)) done();
      else this.#waiting.set(name, done);
    });
  }

  close(): void {
    this.#watcher.close();
  }
}

/** Writes `count` files into `inbox` and returns each one's latency until its output appeared (ms), null if never. */
async function measure(inbox: string, out: string, count: number, spacingMs: number | null, prefix: string): Promise<(number | null)[]> {
  const arrivals = new Arrivals(out);
  const random = rng(3);
  const pending: Promise<number | null>[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = `${prefix}${String(i).padStart(5, '0')}.txt`;
      const content = text(4096, random);
      const started = performance.now();
      const arrived = arrivals.wait(name, 30_000);
      fs.writeFileSync(path.join(inbox, name), content);
      const latency = arrived.then((at) => (at === null ? null : at - started));
      pending.push(latency);
      if (spacingMs === null) await latency;
      else await new Promise((r) => setTimeout(r, spacingMs));
    }
    return await Promise.all(pending);
  } finally {
    arrivals.close();
  }
}

function summarize(latencies: readonly (number | null)[], minus = 0) {
  const seen = latencies.filter((l): l is number => l !== null).map((l) => l - minus);
  return { p50: percentile(seen, 50), p99: percentile(seen, 99), max: percentile(seen, 100), missed: latencies.length - seen.length };
}

function watchSluice(work: string, name: string, settleMs: number): Service {
  const config = sluiceConfig(work, name, {
    stateDir: path.join(work, `${name}-state`), log: { level: 'warn' },
    pipelines: [{ name, input: { dir: path.join(work, `${name}-in`), settleMs }, output: { dir: path.join(work, `${name}-out`) }, stages: [{ use: 'copy' }] }],
  });
  fs.mkdirSync(path.join(work, `${name}-in`), { recursive: true });
  return new Service([sluiceBin, 'watch', '-c', config, '--log-level', 'info'], {});
}

/** Case 3: write → committed output latency of a watched inbox, one file at a time, against an inotifywait loop. */
export async function latency(work: string, size: LatencySize): Promise<CaseResult> {
  const c = newCase('latency', `Watch latency: ${size.files} files of 4 KiB, one at a time, copy`, { ...size });
  const rows: Record<string, ReturnType<typeof summarize>> = {};

  const s0 = watchSluice(work, 'l0', 0);
  if (!(await until(() => /watching /.test(s0.stderrTail), 30_000))) c.errors.push(`sluice did not start: ${s0.stderrTail}`);
  const l0 = summarize(await measure(path.join(work, 'l0-in'), path.join(work, 'l0-out'), size.files, null, 'f'));
  await s0.stop();
  rows['sluice, settleMs 0'] = l0;
  if (l0.missed > 0) c.errors.push(`sluice (settleMs 0): ${l0.missed} output(s) never appeared`);

  const settle = 1000;
  const s1 = watchSluice(work, 'l1', settle);
  if (!(await until(() => /watching /.test(s1.stderrTail), 30_000))) c.errors.push(`sluice did not start: ${s1.stderrTail}`);
  const l1 = summarize(await measure(path.join(work, 'l1-in'), path.join(work, 'l1-out'), size.settledFiles, 100, 'g'), settle);
  await s1.stop();
  rows[`sluice, settleMs ${settle} (latency - settleMs)`] = l1;
  if (l1.missed > 0) c.errors.push(`sluice (settleMs ${settle}): ${l1.missed} output(s) never appeared`);

  let peer: ReturnType<typeof summarize> | null = null;
  if (have('inotifywait')) {
    const inbox = path.join(work, 'iw-in');
    const out = path.join(work, 'iw-out');
    fs.mkdirSync(inbox, { recursive: true });
    fs.mkdirSync(out, { recursive: true });
    const script = 'inotifywait -m -e close_write --format %f "$0" | while IFS= read -r f; do ' +
      'cp -- "$0/$f" "$1/.$f.tmp" && mv -- "$1/.$f.tmp" "$1/$f"; done';
    const iw = new Service(['/bin/sh', '-c', script, inbox, out], {});
    if (!(await until(() => /Watches established/.test(iw.stderrTail), 30_000))) c.skipped.push(`inotifywait did not start: ${iw.stderrTail}`);
    else peer = summarize(await measure(inbox, out, size.files, null, 'f'));
    await iw.stop(2000);
    if (peer) rows['inotifywait -m -e close_write | while read; cp + mv'] = peer;
  } else {
    c.skipped.push('inotifywait loop: inotify-tools not installed (apt-get install inotify-tools)');
  }

  for (const [tool, r] of Object.entries(rows)) {
    c.rows.push({
      tool, figures: { 'p50 ms': round(r.p50, 1), 'p99 ms': round(r.p99, 1), 'max ms': round(r.max, 1), missed: r.missed },
      ratio: tool.startsWith('inotifywait') && l0.p50 !== null && r.p50 !== null ? round(r.p50 / l0.p50, 2) : null,
    });
  }
  const within = (r: typeof l0, p50: number, p99: number) => r.p50 !== null && r.p99 !== null && r.p50 <= p50 && r.p99 <= p99;
  c.targets.push({ name: 'settleMs 0: p50 <= 10 ms, p99 <= 50 ms', met: within(l0, 10, 50), detail: `p50 ${round(l0.p50, 1)} ms, p99 ${round(l0.p99, 1)} ms` });
  c.targets.push({ name: `settleMs ${settle}: p50 <= settleMs + 10 ms, p99 <= settleMs + 50 ms`, met: within(l1, 10, 50), detail: `p50 +${round(l1.p50, 1)} ms, p99 +${round(l1.p99, 1)} ms` });
  c.targets.push({
    name: 'faster than the inotifywait loop (p50)', met: peer?.p50 == null || l0.p50 === null ? null : l0.p50 < peer.p50,
    detail: peer ? `sluice ${round(l0.p50, 1)} ms vs ${round(peer.p50, 1)} ms` : 'peer not run',
  });
  return c;
}
