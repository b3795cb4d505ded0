// npm run bench [-- --quick] [--only a,b] [--peer-watch-cap N] [--keep]
// Builds its corpora in a temp folder (os.tmpdir(), and /dev/shm for the tmpfs cases), runs sluice and each peer on the
// same work, prints a table and writes bench/results/latest.json. Figures only: the exit status is non-zero only when
// sluice produced wrong or missing outputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bigTree } from './cases/bigtree.js';
import { cluster } from './cases/cluster.js';
import { flood } from './cases/flood.js';
import { latency } from './cases/latency.js';
import { oneshotLarge } from './cases/oneshot.js';
import { smallFiles } from './cases/small-files.js';
import { fsType, machineInfo } from './lib/machine.js';
import { formatCase, newCase, type CaseResult } from './lib/report.js';
import { repoRoot } from './lib/run.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const only = option('--only')?.split(',');
const cap = option('--peer-watch-cap');

const sizes = quick
  ? { small: { files: 500, bytes: 4096 }, large: 32 * 2 ** 20, latency: { files: 20, settledFiles: 5 }, flood: 2000,
      tree: { files: 5000, folders: 50, modifications: 50 }, cluster: { scaleFiles: 120, overheadFiles: 200 } }
  : { small: { files: 10_000, bytes: 4096 }, large: 2 ** 30, latency: { files: 200, settledFiles: 50 }, flood: 100_000,
      tree: { files: 200_000, folders: 200, modifications: 500 }, cluster: { scaleFiles: 600, overheadFiles: 600 } };

/** tmpfs: the case's work folder is under /dev/shm instead of os.tmpdir(). */
const cases: [string, (work: string) => Promise<CaseResult | CaseResult[]>, 'tmpfs'?][] = [
  ['oneshot-small', (w) => smallFiles(w, sizes.small, 'disk')],
  ['oneshot-small-tmpfs', (w) => smallFiles(w, sizes.small, 'tmpfs'), 'tmpfs'],
  ['oneshot-large', (w) => oneshotLarge(w, sizes.large)],
  ['latency', (w) => latency(w, sizes.latency)],
  ['flood', (w) => flood(w, sizes.flood)],
  ['big-tree', (w) => bigTree(w, { ...sizes.tree, peerWatchCap: cap === undefined ? null : Number(cap) })],
  ['cluster', (w) => cluster(w, sizes.cluster)],
];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
const shm = '/dev/shm';
let shmRoot: string | null = null;
/** The case's work folder, made; null when it wants a tmpfs and there is none. */
function workFolder(id: string, where: 'tmpfs' | undefined): string | null {
  if (where === 'tmpfs' && fsType(shm) !== 'tmpfs') return null;
  if (where === 'tmpfs') shmRoot ??= fs.mkdtempSync(path.join(shm, 'sluice-bench-'));
  const work = path.join(where === 'tmpfs' ? shmRoot! : root, id);
  fs.mkdirSync(work);
  return work;
}
const machine = machineInfo();
console.log(`sluice bench (${quick ? 'quick' : 'full'}) in ${root} (and ${shm}/sluice-bench-* for the tmpfs cases)`);
console.log(`${machine['cpu']} x ${machine['cores']}, ${machine['memoryGiB']} GiB, ${machine['kernel']}, node ${process.version}`);
const started = Date.now();
const results: CaseResult[] = [];
try {
  for (const [id, run, where] of cases) {
    if (only && !only.includes(id)) continue;
    const work = workFolder(id, where);
    const t = Date.now();
    const got = work === null ? [{ ...newCase(id, id, {}), skipped: [`${shm} is not a tmpfs here`] }] : [await run(work)].flat();
    for (const r of got) {
      console.log(`\n${formatCase(r)}`);
      results.push(r);
    }
    console.log(`  (${Math.round((Date.now() - t) / 1000)} s)`);
    if (work !== null && !args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
  }
} finally {
  const dirs = [root, shmRoot].filter((d) => d !== null);
  if (args.includes('--keep')) console.log(`\nkept ${dirs.join(' and ')}`);
  else for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

const durationS = Math.round((Date.now() - started) / 1000);
const out = path.join(repoRoot, 'bench', 'results', 'latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ size: quick ? 'quick' : 'full', durationS, machine, cases: results }, null, 2)}\n`);
const errors = results.flatMap((r) => r.errors.map((e) => `${r.id}: ${e}`));
const targets = results.flatMap((r) => r.targets);
console.log(`\n${targets.filter((t) => t.met === true).length} of ${targets.length} targets met; ${durationS} s; wrote ${path.relative(process.cwd(), out)}`);
if (errors.length > 0) {
  console.error(`\nsluice produced wrong or missing outputs:\n${errors.join('\n')}`);
  process.exitCode = 1;
}
