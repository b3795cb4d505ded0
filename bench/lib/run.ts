import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vmHwmKb } from '../../test/helpers/measure.js';

export { vmHwmKb };

export const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const sluiceBin = path.join(repoRoot, 'bin', 'sluice');
export const peersDir = fileURLToPath(new URL('../peers', import.meta.url));

/** True when `cmd` is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export interface Timed {
  readonly ms: number;
  readonly code: number | null;
  /** Peak resident set of the process (and its largest waited-for child), KiB; null when unknown. */
  readonly peakRssKb: number | null;
  readonly stderr: string;
  readonly stdout: string;
}

const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command to completion, timing it; peak RSS from GNU time when present, else from VmHWM polling. */
export async function timed(cmd: string, args: readonly string[], o: { cwd?: string; shell?: boolean } = {}): Promise<Timed> {
  const argv = o.shell ? ['/bin/sh', '-c', cmd, ...args] : [cmd, ...args];
  const marker = '@@peak-rss-kb=';
  const full = gnuTime ? [gnuTime, '-f', `${marker}%M`, ...argv] : argv;
  const started = performance.now();
  const child = spawn(full[0]!, full.slice(1), { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const hwm = gnuTime ? null : pollPeak(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s.length < 1e6 ? s : ''));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const ms = performance.now() - started;
  let peakRssKb = hwm ? hwm.stop() : null;
  const m = gnuTime ? new RegExp(`${marker}(\\d+)`).exec(stderr) : null;
  if (m) {
    peakRssKb = Number(m[1]);
    stderr = stderr.replace(m[0], '');
  }
  return { ms, code, peakRssKb, stderr, stdout };
}

/** Polls VmHWM every 100 ms; stop() returns the last value seen (the peak, as VmHWM never goes down). */
export function pollPeak(pid: number): { stop(): number | null; readonly peak: number | null } {
  let peak: number | null = null;
  const tick = () => {
    const v = vmHwmKb(pid);
    if (v !== null) peak = Math.max(peak ?? 0, v);
  };
  tick();
  const timer = setInterval(tick, 100);
  return {
    stop() {
      tick();
      clearInterval(timer);
      return peak;
    },
    get peak() {
      return peak;
    },
  };
}

/** inotify watches held by a process (the `inotify wd:` lines of its inotify descriptors' fdinfo). */
export function inotifyWatches(pid: number): number {
  let watches = 0;
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      watches += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // The descriptor closed meanwhile.
    }
  }
  return watches;
}

/** A long-running child (a daemon or a watching peer) whose output lines are handed to `onLine` as they come. */
export class Service {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly startedAt = performance.now();
  #stderrTail = '';
  readonly #peak;

  constructor(argv: readonly string[], o: { cwd?: string; onLine?: (line: string, stream: 'out' | 'err') => void }) {
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#peak = pollPeak(this.child.pid!);
    for (const [stream, name] of [[this.child.stdout!, 'out'], [this.child.stderr!, 'err']] as const) {
      let buffered = '';
      stream.setEncoding('utf8').on('data', (s: string) => {
        buffered += s;
        if (name === 'err') this.#stderrTail = (this.#stderrTail + s).slice(-4000);
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          o.onLine?.(line, name);
        }
      });
    }
    this.exited = new Promise((resolve) => this.child.on('close', (c) => resolve(c)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get peakRssKb(): number | null {
    return this.#peak.peak;
  }

  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; returns the peak RSS seen. */
  async stop(graceMs = 30_000): Promise<number | null> {
    const peak = this.#peak.stop();
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    return peak;
  }
}

/** Polls `probe` every `intervalMs` until it returns true; false on timeout. */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Writes a sluice JSON config and returns its path. */
export function sluiceConfig(dir: string, name: string, config: object): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
