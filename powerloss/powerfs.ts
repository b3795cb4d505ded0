/**
 * The harness of powerfs (powerfs/powerfs.py): mounts one in a test's folder, talks to its control socket, unmounts it.
 * A test suite that needs it is declared with `powerfsSuite`, which skips it (saying why) where powerfs cannot run,
 * and fails it instead under CI (CI=true), where a missing prerequisite is a broken machine, not a reason to pass.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: the one python3-fusepy is installed for (a pyenv `python3` on PATH may lack it). */
export const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../../powerloss/powerfs/powerfs.py', import.meta.url));
const fuseMagic = 0x65735546;

/** What `stats` reports (see powerfs/control.py). */
export interface PowerfsStats {
  readonly state: 'on' | 'off';
  readonly pendingDirOps: number;
  readonly undurableFiles: number;
  readonly inodes: number;
  readonly openHandles: number;
  /** Breaches of the model's own invariant: always empty unless powerfs has a bug. */
  readonly violations: readonly string[];
  readonly fsync: number;
  readonly fsyncdir: number;
  readonly syncs: number;
  readonly cuts: number;
  readonly restarts: number;
}

/** Why powerfs cannot run on this machine, or null when it can. */
export function powerfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'powerfs mounts FUSE file systems: run as root';
  if (!fs.existsSync('/dev/fuse')) return '/dev/fuse is missing (apt-get install fuse3; a VM or container without FUSE)';
  if (!fs.existsSync(python)) return `${python} is missing (Debian's python3)`;
  const probe = spawnSync(python, ['-B', '-c', 'import fusepy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${python} cannot import fusepy (apt-get install python3-fusepy): ${probe.stderr.trim()}`;
  return null;
}

/** `describe` for a suite that needs powerfs: skipped with the reason where it cannot run, failed under CI. */
export function powerfsSuite(name: string, body: () => void): void {
  const reason = powerfsUnavailable();
  if (reason === null) describe(name, body);
  else if (process.env.CI === 'true') describe(name, () => test('powerfs prerequisites', () => { throw new Error(reason); }));
  else describe(name, { skip: `powerfs unavailable: ${reason}` }, body);
}

/** A mounted powerfs. `unmount()` is idempotent (the same promise every call): call it in afterEach/after. */
export class Powerfs {
  /** The mount point: every path of the test lives under it. */
  readonly mount: string;
  readonly #socket: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #stderr = '';
  #unmounting: Promise<void> | null = null;

  private constructor(mount: string, socket: string, child: ChildProcess) {
    this.mount = mount;
    this.#socket = socket;
    this.#child = child;
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.#stderr += s));
    // A test that timed out never reaches its unmount: powerfs must not outlive the test process, mounted.
    const orphaned = () => child.kill('SIGTERM');
    process.on('exit', orphaned);
    this.#exited = new Promise((resolve) => child.on('close', () => {
      process.off('exit', orphaned);
      resolve();
    }));
  }

  /** Mounts a fresh, empty powerfs at `<dir>/mnt` (control socket `<dir>/control.sock`) and waits until it serves. */
  static async mount(dir: string, timeoutMs = 10_000): Promise<Powerfs> {
    const mount = path.join(dir, 'mnt');
    const socket = path.join(dir, 'control.sock');
    fs.mkdirSync(mount, { recursive: true });
    const child = spawn(python, ['-B', script, mount, '--control', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pfs = new Powerfs(mount, socket, child);
    try {
      await pfs.#ready(timeoutMs);
    } catch (err) {
      await pfs.unmount();
      throw err;
    }
    return pfs;
  }

  async #ready(timeoutMs: number): Promise<void> {
    let stdout = '';
    this.#child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const deadline = Date.now() + timeoutMs;
    while (!(stdout.includes('ready') && fs.statfsSync(this.mount).type === fuseMagic && fs.existsSync(this.#socket))) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`powerfs exited before it was mounted:\n${this.#stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`powerfs was not mounted within ${timeoutMs} ms:\n${this.#stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * A shell command that makes everything durable (the control command `sync`): what syncfs(2) would do on a real
   * file system, which FUSE never passes on. sluice runs it in place of `sync --file-system` under SLUICE_TEST_SYNCFS.
   */
  get syncCommand(): string {
    const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
    return `${quote(python)} -B ${quote(script)} ctl ${quote(this.#socket)} sync | grep -q '"ok": *true'`;
  }

  /** What powerfs wrote to stderr (its Python tracebacks, if any). */
  get stderr(): string {
    return this.#stderr;
  }

  /** Sends one control command; resolves with the reply, rejects if it says ok: false. */
  control(command: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const conn = net.createConnection(this.#socket);
      let reply = '';
      const timer = setTimeout(() => conn.destroy(new Error(`powerfs: no reply to ${command} in ${timeoutMs} ms`)), timeoutMs);
      conn.setEncoding('utf8');
      conn.on('connect', () => conn.write(`${command}\n`));
      conn.on('data', (s: string) => {
        reply += s;
        if (!reply.includes('\n')) return;
        conn.end();
        const parsed = JSON.parse(reply) as Record<string, unknown>;
        if (parsed.ok === true) resolve(parsed);
        else reject(new Error(`powerfs ${command}: ${String(parsed.error)}`));
      });
      conn.on('error', reject);
      conn.on('close', () => clearTimeout(timer));
    });
  }

  /** Makes everything durable (a whole-fs sync). */
  async sync(): Promise<void> {
    await this.control('sync');
  }

  /** The power cut: the mount reverts to what was durable, and every operation fails with EIO until restart(). */
  async cut(): Promise<void> {
    await this.control('cut');
  }

  /** The machine is back on. */
  async restart(): Promise<void> {
    await this.control('restart');
  }

  async stats(): Promise<PowerfsStats> {
    return (await this.control('stats')) as unknown as PowerfsStats;
  }

  /** SIGTERM (powerfs unmounts itself), then a lazy unmount and SIGKILL if it did not within 5 s. */
  unmount(): Promise<void> {
    this.#unmounting ??= this.#unmount();
    return this.#unmounting;
  }

  async #unmount(): Promise<void> {
    this.#child.kill('SIGTERM');
    const exited = await Promise.race([this.#exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!exited) this.#child.kill('SIGKILL');
    if (isMounted(this.mount)) {
      const r = spawnSync('fusermount3', ['-u', '-z', this.mount]);
      if (r.status !== 0) spawnSync('umount', ['-l', this.mount]);
    }
    await this.#exited;
    // Never recursive: should the unmount have failed, the mount's contents are not ours to delete.
    try {
      fs.rmdirSync(this.mount);
    } catch {
      // Still mounted or not empty: left for the caller's temp-folder cleanup to report.
    }
  }
}

/** Mounts a fresh powerfs under `dir` (see Powerfs.mount). */
export function mountPowerfs(dir: string): Promise<Powerfs> {
  return Powerfs.mount(dir);
}

function isMounted(mount: string): boolean {
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mount);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
