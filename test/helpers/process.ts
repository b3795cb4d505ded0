import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/sluice of this checkout (tests run from dist/test/…). */
export const sluiceBin = fileURLToPath(new URL('../../../bin/sluice', import.meta.url));

/**
 * This environment and `env` with the launch-time memory settings of bin/launch-settings.js given up front, as the
 * systemd unit gives them: bin/sluice then runs the engine itself instead of relaunching, so a SluiceProcess's pid is
 * the engine's (instance.json, /proc/<pid>/…, peak RSS). A key of `env` set to undefined leaves it out
 * (test/cli/launch.test.ts starts without them to cover the relaunch).
 */
function withLaunchSettings(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', ...process.env, ...env };
  if (!('NODE_OPTIONS' in env) || env['NODE_OPTIONS'] !== undefined) {
    merged['NODE_OPTIONS'] = [merged['NODE_OPTIONS'], '--max-semi-space-size=2'].filter(Boolean).join(' ');
  }
  return merged;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Finished extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** One JSON log line (`--log-format json`). */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly time: string;
  readonly pipeline?: string;
  readonly path?: string;
  readonly [field: string]: unknown;
}

export interface WaitOptions {
  /** @default 15000 */
  readonly timeoutMs?: number;
  /** @default 25 */
  readonly intervalMs?: number;
}

/** Polls `probe` until it returns something truthy, which it resolves with; rejects after the timeout naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, o: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs ?? 15_000} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, o.intervalMs ?? 25));
  }
}

/** Extra spawn options for a sluice process: run it as another user (`uid`, `gid`) or with another environment. */
export type StartOptions = Pick<SpawnOptions, 'uid' | 'gid' | 'env'> & {
  /** A command that execs the rest of its arguments (node, the sluice script, the args) in the same process. */
  readonly prefix?: readonly string[];
};

/** A running `node bin/sluice …` in its own process group, its output collected as it comes. */
export class SluiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  #stdout = '';
  #stderr = '';
  #exit: Exit | null = null;

  /** `options.env` is added to this process's environment (e.g. the test-only SLUICE_FAULT). */
  constructor(args: readonly string[], cwd: string, options: StartOptions = {}) {
    const { prefix = [], ...spawnOptions } = options;
    const command = [...prefix, process.execPath, sluiceBin, ...args];
    this.child = spawn(command[0]!, command.slice(1), {
      ...spawnOptions, env: withLaunchSettings(options.env), cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.#stdout += s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.#stderr += s));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve((this.#exit = { code, signal })));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The exit, or null while it runs (stdio included). */
  get exit(): Exit | null {
    return this.#exit;
  }

  /** Complete stderr lines parsed as JSON; lines that are not JSON are skipped. */
  get logs(): LogLine[] {
    const lines: LogLine[] = [];
    for (const line of this.#stderr.split('\n').slice(0, -1)) {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a JSON log line.
      }
    }
    return lines;
  }

  /** Log lines about one input path (relative to input.dir). */
  logsFor(relPath: string, message?: string | RegExp): LogLine[] {
    return this.logs.filter((l) => l.path === relPath && (message === undefined || matches(l.message, message)));
  }

  /** Waits for a JSON log line that satisfies `test`. */
  waitForLog(what: string, test: (line: LogLine) => boolean, o?: WaitOptions): Promise<LogLine> {
    return waitFor(`log line: ${what}\n--- stderr so far:\n${this.#stderr.slice(-4000)}`, () => {
      if (this.#exit) throw new Error(`sluice exited (${JSON.stringify(this.#exit)}) before ${what}:\n${this.#stderr}`);
      return this.logs.find(test);
    }, o);
  }

  /** Waits for the "processed" line of an input (written after its output is committed and the input disposed of). */
  processed(relPath: string, o?: WaitOptions): Promise<LogLine> {
    return this.waitForLog(`${relPath} processed`, (l) => l.path === relPath && l.message.startsWith('processed'), o);
  }

  /** Resolves once the watcher is up (the "watching" info line, in either log format). */
  ready(o?: WaitOptions): Promise<unknown> {
    return waitFor(`sluice to start watching\n${this.#stderr}`, () => {
      if (this.#exit) throw new Error(`sluice exited (${JSON.stringify(this.#exit)}) before watching:\n${this.#stderr}`);
      return /watching /.test(this.#stderr);
    }, o);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#exit === null) this.child.kill(signal);
  }

  /** Resolves with the exit; rejects if it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`sluice did not exit within ${timeoutMs} ms:\n${this.#stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the whole process group (sluice and any exec children) with SIGKILL and waits for it. */
  async destroy(): Promise<void> {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await this.exited;
  }
}

function matches(message: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? message === pattern : pattern.test(message);
}

/**
 * A fresh temp folder for one test, used as the working directory of every sluice it starts. dispose() (afterEach)
 * kills every process still running and removes the folder.
 */
export class Sandbox {
  readonly dir: string;
  readonly #processes: SluiceProcess[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  static create(): Sandbox {
    return new Sandbox(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-daemon-'))));
  }

  /** An absolute path inside the sandbox. */
  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** Writes `content` to a path inside the sandbox, creating folders. */
  write(rel: string, content: string | Buffer): string {
    const file = this.path(rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  }

  read(rel: string): Buffer | null {
    try {
      return fs.readFileSync(this.path(rel));
    } catch {
      return null;
    }
  }

  /** True when a file or folder (or a link, even a broken one) is at `rel`. */
  exists(rel: string): boolean {
    return fs.lstatSync(this.path(rel), { throwIfNoEntry: false }) !== undefined;
  }

  /** Removes a file or folder inside the sandbox; missing is fine. */
  rm(rel: string): void {
    fs.rmSync(this.path(rel), { recursive: true, force: true });
  }

  /** Writes a JSON config file (default `sluice.json`) and returns its path. */
  config(config: object, name = 'sluice.json'): string {
    return this.write(name, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Starts `sluice <args…>` with the sandbox as its working directory. */
  start(args: readonly string[], options?: StartOptions): SluiceProcess {
    const proc = new SluiceProcess(args, this.dir, options);
    this.#processes.push(proc);
    return proc;
  }

  /** Runs `sluice <args…>` to completion (killed after `timeoutMs`). */
  async run(args: readonly string[], timeoutMs = 30_000, options?: StartOptions): Promise<Finished> {
    const proc = this.start(args, options);
    const exit = await proc.waitForExit(timeoutMs);
    return { ...exit, stdout: proc.stdout, stderr: proc.stderr };
  }

  /** Every file (not folder) under `rel`, relative to it with `/` separators, sorted; [] when it does not exist. */
  files(rel = '.'): string[] {
    const root = this.path(rel);
    const out: string[] = [];
    const walk = (dir: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) walk(abs);
        else out.push(path.relative(root, abs).split(path.sep).join('/'));
      }
    };
    walk(root);
    return out.sort();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.destroy()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A pipeline config with test-friendly defaults (no settling, fast retries); `overrides` are merged shallowly. */
export function pipeline(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'p',
    input: { dir: './inbox', settleMs: 0 },
    output: { dir: './outbox' },
    retry: { attempts: 1, backoffMs: 10, maxBackoffMs: 20 },
    stages: [{ use: 'copy' }],
    ...overrides,
  };
}

/** An exec stage running a /bin/sh script with the input as "$1" and the output as "$2" (never interpolated). */
export function shStage(script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { use: 'exec', with: { command: ['/bin/sh', '-c', script, 'sh', '{in}', '{out}'] }, ...extra };
}

/** The arguments that give machine-readable debug logs. */
export const debugJson = ['--log-level', 'debug', '--log-format', 'json'] as const;
