/**
 * One power-loss case: real `sluice run` / `sluice watch` processes on a fresh powerfs, the power cut at seeded random
 * moments (cut, SIGKILL of the process group, restart), the contract checked after every cut and once sluice has run
 * to completion. Violations are collected, not thrown, so a case reports all it found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SluiceProcess } from '../test/helpers/process.js';
import type { CaseReport, CaseSpec } from './case-spec.js';
import { checkAfterCut, checkConverged } from './checks.js';
import { Corpus } from './corpus.js';
import { looksDone } from './done-hint.js';
import { markerProblem } from './folder-checks.js';
import { configFor, layoutOf, type Layout } from './layout.js';
import { finish, further, tail } from './finish.js';
import { Powerfs } from './powerfs.js';
import { Progress } from './progress.js';
import { rngFor, type Rng } from './seed.js';

export class PowerCase {
  readonly #spec: CaseSpec;
  readonly #rng: Rng;
  readonly #tmp: string;
  readonly #pfs: Powerfs;
  readonly #layout: Layout;
  readonly #config: string;
  readonly #corpus: Corpus;
  readonly #procs: SluiceProcess[] = [];
  /** Each violation once (the first time it is seen: a loss found after one cut is still there after the next). */
  readonly #violations = new Map<string, string>();
  readonly #rounds: string[] = [];
  /** Inputs processed at least once (the rewrites' candidates). */
  readonly #done = new Set<string>();
  /** Inputs rewritten and not processed since (roughly: a path processed in the round of its rewrite counts as done). */
  readonly #stale = new Set<string>();
  /** Processed inputs whose folder lacked its marker after the last cut: caught in mid-replace, perhaps. */
  #midway = new Set<string>();
  /** How long a start may run before its cut: learned from the starts that finished first. */
  #runMs = 2500;

  private constructor(name: string, spec: CaseSpec, tmp: string, pfs: Powerfs) {
    if ((spec.rewrites ?? 0) > 0 && spec.onSuccess !== 'keep') throw new Error('rewrites need onSuccess keep (inputs that stay)');
    this.#spec = spec;
    this.#rng = rngFor(name);
    this.#tmp = tmp;
    this.#pfs = pfs;
    this.#layout = layoutOf(pfs.mount);
    this.#config = path.join(tmp, 'sluice.json');
    fs.writeFileSync(this.#config, JSON.stringify(configFor(spec.command, spec, this.#layout), null, 2));
    this.#corpus = new Corpus(this.#layout.inbox, this.#rng);
  }

  /** Mounts a fresh powerfs for the case `name` (which also names its random stream). */
  static async open(name: string, spec: CaseSpec): Promise<PowerCase> {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-powerloss-')));
    return new PowerCase(name, spec, tmp, await Powerfs.mount(tmp));
  }

  /** Plays every round, then the run to completion and the checks. */
  async play(): Promise<CaseReport> {
    const spec = this.#spec;
    this.#corpus.writePlain(spec.files);
    if (spec.premade) for (const dir of [this.#layout.outbox, this.#layout.archive, this.#layout.state]) fs.mkdirSync(dir);
    await this.#pfs.sync();
    const syncsBefore = (await this.#pfs.stats()).syncs;
    let cuts = 0;
    for (let round = 1; cuts < spec.cuts && round <= spec.cuts * 3; round++) {
      // Each file made durable on its own: a whole-fs sync here would also make durable what sluice left undone.
      if (round > 1 && spec.command === 'run') {
        for (let i = 0; i < spec.perRound; i++) this.#corpus.addDurably();
        for (let i = 0; i < (spec.rewrites ?? 0); i++) this.#rewrite(this.#done);
      }
      if (await this.#round(round, cuts + 1)) cuts += 1;
    }
    const end = await finish(spec.command, this.#config, this.#start.bind(this), () => looksDone(this.#layout, spec, this.#corpus));
    if (end.problem) this.#flag('the run to completion', end.problem);
    for (const problem of checkConverged(this.#layout, spec, this.#corpus)) this.#flag('in the end', problem);
    const kept = spec.onSuccess === 'keep' ? [...this.#corpus.inputs.keys()] : [];
    for (const problem of await further(this.#start.bind(this), this.#config, kept)) this.#flag('in the end', problem);
    const stats = await this.#pfs.stats();
    for (const problem of stats.violations) this.#flag('powerfs invariant', problem);
    if (spec.flush === 'syncfs' && stats.syncs === syncsBefore) this.#flag('syncfs', 'sluice never flushed through syncfs: the case tested the fsync path');
    if (this.#pfs.stderr !== '') this.#flag('powerfs', `wrote to stderr (a bug in powerfs?): ${tail(this.#pfs.stderr)}`);
    const violations = [...this.#violations].map(([problem, where]) => `${where}: ${problem}`);
    return { cuts, files: this.#corpus.size, rewrites: this.#corpus.rewrites, violations, rounds: this.#rounds };
  }

  /** One start of sluice, cut at a random moment; false when sluice finished before the moment came. */
  async #round(round: number, cut: number): Promise<boolean> {
    const proc = this.#start([this.#spec.command, '-c', this.#config]);
    const progress = new Progress(proc);
    const moment = await this.#waitForMoment(proc, progress);
    for (const p of progress.paths) {
      this.#done.add(p);
      this.#stale.delete(p);
    }
    if (moment === null) {
      const exit = await proc.waitForExit(60_000);
      if (exit.code !== 0) this.#flag(`round ${round}`, `sluice ${this.#spec.command} exited ${JSON.stringify(exit)} on its own: ${tail(proc.stderr)}`);
      this.#rounds.push(`round ${round}: finished before the cut (${progress.count} processed)`);
      return false;
    }
    const before = await this.#pfs.stats();
    await this.#pfs.cut();
    await proc.destroy();
    await this.#pfs.restart();
    if (this.#spec.rewrites) {
      this.#midway = new Set([...this.#done].filter((rel) => markerProblem(this.#layout, this.#corpus.inputs.get(rel)!) !== null));
    }
    this.#rounds.push(`cut ${cut}: ${moment}, ${progress.count} processed; at risk: ${before.pendingDirOps} dir ops, ` +
      `${before.undurableFiles} files with undurable data${this.#spec.rewrites ? `; ${this.#midway.size} processed without their marker` : ''}`);
    for (const problem of checkAfterCut(this.#layout, this.#spec, this.#corpus)) this.#flag(`after cut ${cut}`, problem);
    return true;
  }

  /**
   * Waits for the round's random moment — half the time a delay after the start (up to the duration of the last run
   * that finished before its moment: start-up, recovery, scan and commits all get their share), otherwise a number of
   * "processed" lines plus a few milliseconds, or a second of idling (watch) — adding and rewriting inputs durably
   * meanwhile in watch mode. Returns what the moment was, or null when sluice exited first.
   */
  async #waitForMoment(proc: SluiceProcess, progress: Progress): Promise<string | null> {
    const rng = this.#rng;
    const started = Date.now();
    const watch = this.#spec.command === 'watch';
    const adds = watch ? this.#spec.perRound : 0;
    const rewrites = watch ? this.#spec.rewrites ?? 0 : 0;
    const remaining = Math.max(0, this.#corpus.size - this.#done.size) + this.#stale.size + adds + rewrites;
    const timed = rng.next() < 0.5;
    const delay = timed ? rng.int(0, this.#runMs) : rng.int(0, 5);
    const target = timed ? 0 : rng.int(1, Math.max(1, Math.floor(remaining * 0.7)));
    let deadline = timed ? started + delay : Infinity;
    let added = 0;
    let rewritten = 0;
    for (;;) {
      if (proc.exit) {
        this.#runMs = Math.max(100, Math.floor((Date.now() - started) * 0.9));
        return null;
      }
      if (deadline === Infinity && progress.count >= target) deadline = Date.now() + delay;
      if (Date.now() >= deadline) break;
      // A watch that is done with everything before the target: the cut comes while it idles.
      if (added >= adds && rewritten >= rewrites && progress.quietMs > 1000) {
        return `while idle after ${progress.count} processed, ${added} added, ${rewritten} rewritten`;
      }
      if (Date.now() - started > 60_000) return `after 60 s without reaching the moment (${progress.count} processed)`;
      if (added < adds && rng.next() < 0.5) {
        this.#corpus.addDurably();
        added += 1;
      }
      if (rewritten < rewrites && rng.next() < 0.3 && this.#rewrite([...this.#done, ...progress.paths])) rewritten += 1;
      await new Promise((resolve) => setTimeout(resolve, rng.int(1, 4)));
    }
    const extra = watch ? `, ${added} added${rewrites > 0 ? `, ${rewritten} rewritten` : ''}` : '';
    return timed ? `${delay} ms after the start${extra}` : `${delay} ms after ${target} processed${extra}`;
  }

  /**
   * Rewrites an input durably (see Corpus.rewriteOneOf): half the time one whose folder the last cut left without its
   * marker (its replacement perhaps cut in mid-commit: the next version must not inherit parts of this one), otherwise
   * one of `processed`. False when there was none.
   */
  #rewrite(processed: Iterable<string>): boolean {
    const input = this.#corpus.rewriteOneOf(this.#midway.size > 0 && this.#rng.next() < 0.5 ? this.#midway : processed);
    if (input === null) return false;
    this.#stale.add(input.rel);
    this.#midway.delete(input.rel);
    return true;
  }

  #start(args: readonly string[]): SluiceProcess {
    const env = this.#spec.flush === 'syncfs' ? { SLUICE_FLUSH: 'syncfs', SLUICE_TEST_SYNCFS: this.#pfs.syncCommand } : {};
    const proc = new SluiceProcess([...args, '--log-format', 'json'], this.#tmp, { env });
    if (this.#procs.length === 0) process.on('exit', this.#orphaned);
    this.#procs.push(proc);
    return proc;
  }

  /** A case that timed out never reaches close(): its sluice processes must not outlive the test process. */
  readonly #orphaned = () => {
    for (const p of this.#procs) {
      try {
        if (p.exit === null) process.kill(-p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  #flag(where: string, problem: string): void {
    if (!this.#violations.has(problem)) this.#violations.set(problem, where);
  }

  /** Kills whatever still runs, unmounts, removes the temp folder. */
  async close(): Promise<void> {
    await Promise.all(this.#procs.map((p) => p.destroy()));
    process.off('exit', this.#orphaned);
    await this.#pfs.unmount();
    fs.rmSync(this.#tmp, { recursive: true, force: true });
  }
}
