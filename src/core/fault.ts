/**
 * TEST-ONLY fault injection. Never set this in production: it exists so the test suite can prove the crash and
 * missed-event guarantees on a real process.
 *
 * `SLUICE_FAULT=<step>` or `SLUICE_FAULT=<step>:<n>` (read once, when this module is loaded at start-up) arms one
 * fault point:
 * - crash points — the process kills itself with SIGKILL the n-th time (default: the first) it reaches the step:
 *   `after-temp-write` (the last stage's temp file is written), `after-fsync` (it is fsynced), `mid-append` (half of an
 *   append block is written and fsynced), `after-rename` (renamed into place or appended whole, not yet recorded),
 *   `after-record` (success recorded, input not yet disposed of), `after-dispose` (input moved or deleted, not yet
 *   marked disposed); for completion markers and folder outputs also `after-marker-removed` (the old marker is gone,
 *   no output replaced yet), `after-stale-removed` (the previous result's outputs not produced again are gone, the
 *   marker not yet written) and `after-marker` (the marker is written, not yet recorded as done);
 *   `after-lock` (a commit holds its output locks, the cluster's leases included; nothing is renamed yet);
 * - `drop-watch-events`: the watcher reports nothing (every add, change and new-folder event is dropped);
 * - `watch-error`: like `drop-watch-events`, and the n-th dropped event is replaced by a watcher error (ENOSPC).
 *
 * Lives in core (it knows nothing about files) so that both watch/ and pipeline/ can reach it.
 */
export type CrashStep = 'after-temp-write' | 'after-fsync' | 'mid-append' | 'after-rename' | 'after-record' | 'after-dispose'
  | 'after-marker-removed' | 'after-stale-removed' | 'after-marker' | 'after-lock';
export type FaultName = CrashStep | 'drop-watch-events' | 'watch-error';

interface Armed {
  readonly name: FaultName;
  /** Fires on this visit (1-based). */
  readonly at: number;
  visits: number;
}

const armed: Armed | null = parse(process.env['SLUICE_FAULT']);

function parse(raw: string | undefined): Armed | null {
  if (raw === undefined || raw === '') return null;
  const [name, n] = raw.split(':');
  const at = n === undefined ? 1 : Number(n);
  return { name: name as FaultName, at: Number.isInteger(at) && at >= 1 ? at : 1, visits: 0 };
}

/** True when `name` is the armed fault (whatever its count). */
export function faultArmed(name: FaultName): boolean {
  return armed?.name === name;
}

/** Counts a visit to `name`; true on the visit the fault is armed for. */
export function faultDue(name: FaultName): boolean {
  if (armed?.name !== name) return false;
  armed.visits += 1;
  return armed.visits === armed.at;
}

/**
 * `SLUICE_TEST_HOLD=<step>[:n]` with `SLUICE_TEST_HOLD_MS=<ms>`: the n-th visit to the crash point `step` writes
 * `SLUICE_HOLD <step> <pid>` to stderr and then blocks the whole process for that long (as a GC pause or SIGSTOP
 * would: no timer runs, no lease is renewed), so a test can pause a node at an exact step.
 */
const hold: Armed | null = parse(process.env['SLUICE_TEST_HOLD']);
const holdMs = Number(process.env['SLUICE_TEST_HOLD_MS'] ?? 0);

/** The crash point `step`: kills this process with SIGKILL when the fault is due (no cleanup, no exit handlers). */
export function crashPoint(step: CrashStep): void {
  if (faultDue(step)) process.kill(process.pid, 'SIGKILL');
  if (hold?.name === step && ++hold.visits === hold.at) {
    process.stderr.write(`SLUICE_HOLD ${step} ${process.pid}\n`);
    if (holdMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
  }
}
