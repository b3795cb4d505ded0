// @ts-check
import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * The launch-time memory settings of `sluice watch` and `sluice run`, and the one re-exec that puts them in effect when
 * sluice was started without them (`node bin/sluice …`). Both are read only when a process starts, so bin/sluice cannot
 * set them for itself: V8 sizes the young generation once (`--max-semi-space-size`, MB per semi-space; the default lets
 * it grow to 16), glibc reads MALLOC_ARENA_MAX once (the default allows 8 malloc arenas per core, and each of sluice's
 * threads ends up holding its own). Peak RSS of a 100,000-file flood into `sluice watch`: 146-155 MB without them,
 * 121-125 MB with them (either alone: about 138 and 134). A semi-space of 1 or 4 MB measured no better than 2.
 *
 * Started as `./bin/sluice`, through npm's bin links or npx, bin/sluice is a shell script first and execs node with
 * the same settings itself, in place (see its first lines): no second process. This module is for the other ways in.
 * Node 20 cannot exec in place (no process.execve), so there the relaunch is a child, and this process stays as its
 * stand-in: about 60 ms more to start and 7 MB of private memory (43 MB RSS, mostly node's code shared with the child).
 */

/** The node flags sluice wants; the user's own execArgv come after them, so theirs win. */
export const NODE_FLAGS = Object.freeze(['--max-semi-space-size=2']);

/** The environment sluice wants, each set only where the user has not set it. */
export const ENV = Object.freeze({ MALLOC_ARENA_MAX: '2' });

/**
 * Set by the relaunching parent to its own pid: the child never relaunches again, and dies when that parent is gone.
 * The child removes it from its environment at once, so the programs of exec stages do not inherit it.
 */
export const MARKER = 'SLUICE_LAUNCHED';

/** The commands that process files, and so need the settings; the others start faster without a second process. */
const HEAVY = new Set(['watch', 'run']);
/** Global options that take a value (src/cli/main.ts), skipped when looking for the command. */
const GLOBAL_WITH_VALUE = new Set(['--log-level', '--log-format']);
/** Signals the parent passes on; SIGHUP reloads the config, a second SIGTERM or SIGINT aborts work in flight. */
const FORWARDED = /** @type {const} */ ([
  'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT',
]);
/** How often the child checks that its parent is alive; a parent killed with SIGKILL cannot tell it. */
const PARENT_CHECK_MS = 100;

/** The command in sluice's arguments (after node and the script), or undefined. */
export function commandOf(args = process.argv.slice(2)) {
  for (let i = 0; i < args.length; i++) {
    if (GLOBAL_WITH_VALUE.has(/** @type {string} */ (args[i]))) i++;
    else if (!args[i]?.startsWith('-')) return args[i];
  }
  return undefined;
}

/** True when this process has a semi-space size from its command line or NODE_OPTIONS, and its malloc arena cap. */
export function settingsInEffect(execArgv = process.execArgv, env = process.env) {
  const flags = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].map((f) => f.replaceAll('_', '-'));
  const semiSpace = flags.some((f) => f === '--max-semi-space-size' || f.startsWith('--max-semi-space-size='));
  // Only glibc reads MALLOC_ARENA_MAX (or its tunable); any value the user gave is theirs.
  const arenas = process.platform !== 'linux' || env['MALLOC_ARENA_MAX'] !== undefined ||
    (env['GLIBC_TUNABLES'] ?? '').includes('glibc.malloc.arena_max');
  return semiSpace && arenas;
}

/**
 * True when this process should start sluice again with the settings: a heavy command, not relaunched yet, and no
 * inspector (a debugger attaches to the process it started, and a child could not take the same port).
 */
export function wantsRelaunch() {
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  return process.platform !== 'win32' && process.env[MARKER] === undefined && HEAVY.has(commandOf() ?? '') &&
    !flags.some((f) => f.startsWith('--inspect')) && !settingsInEffect();
}

/**
 * Starts sluice again as a child with the settings and makes this process its transparent stand-in: the child shares
 * its stdio, gets every signal in FORWARDED sent to it, and its exit is this process's exit — the same code, or death
 * by the same signal. The child runs in its own process group (and session), so a signal sent to the whole group of
 * this process (Ctrl-C, `kill -TERM -PGID`) reaches it once, through this process, not twice; sluice's second SIGTERM
 * means "abort what is in flight". Returns false when the child could not be started (then run in this process).
 * @returns {boolean}
 */
export function relaunch() {
  const env = { ...process.env, [MARKER]: String(process.pid) };
  for (const [key, value] of Object.entries(ENV)) env[key] ??= value;
  const args = [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env, detached: true });
  if (child.pid === undefined) {
    child.on('error', () => {});
    return false;
  }
  /** @param {NodeJS.Signals} signal */
  const forward = (signal) => void child.kill(signal);
  // Ctrl-Z: a stop signal from the terminal only reaches this process; the child, in an orphaned group, needs SIGSTOP.
  const suspend = () => {
    child.kill('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  process.on('SIGTSTP', suspend);
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      for (const s of FORWARDED) process.off(s, forward);
      process.off('SIGTSTP', suspend);
      process.kill(process.pid, signal);
    }
    // Still here: a signal this process cannot die of the same way (ignored, or SIGUSR1: node's inspector).
    process.exit(code ?? 128 + (os.constants.signals[/** @type {NodeJS.Signals} */ (signal)] ?? 0));
  });
  return true;
}

/**
 * In a relaunched child: forgets the marker, and kills itself and its process group (exec stages included) as soon as
 * the parent that started it is gone, as that parent was (SIGKILL is the only way it goes without passing it on).
 */
export function followParent() {
  const marker = process.env[MARKER];
  if (marker === undefined) return;
  delete process.env[MARKER];
  const parent = Number(marker);
  // Not from a parent that relaunched this process (a stray value in the environment): ignored.
  if (process.ppid !== parent && alive(parent)) return;
  const check = () => {
    if (process.ppid === parent) return;
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      // Not a group leader after all: this process alone.
    }
    process.kill(process.pid, 'SIGKILL');
  };
  check();
  setInterval(check, PARENT_CHECK_MS).unref();
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}
