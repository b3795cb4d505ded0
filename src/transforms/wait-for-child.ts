import type { ChildProcess } from 'node:child_process';
import { abortReason } from '../core/abort.js';

export interface ChildExit {
  /** The exit code, or null when a signal ended the child. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Waits for a spawned child to end and its stdio to close. Rejects with the child's 'error' (e.g. spawn ENOENT).
 * On abort: destroys the child's stdio, sends SIGTERM, then SIGKILL after `graceMs` if it is still alive, and rejects
 * with `abortReason(signal)` once it has exited (not waiting on stdio a grandchild may hold). Always settles: SIGKILL
 * cannot be caught. Listeners and the timer are removed when it settles.
 */
export function waitForChild(child: ChildProcess, signal: AbortSignal, graceMs = 2000): Promise<ChildExit> {
  return new Promise<ChildExit>((resolve, reject) => {
    let killTimer: NodeJS.Timeout | undefined;
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const settle = (done: () => void) => {
      signal.removeEventListener('abort', onAbort);
      child.off('close', onClose).off('exit', onExit).off('error', onError);
      clearTimeout(killTimer);
      done();
    };
    const onClose = (code: number | null, sig: NodeJS.Signals | null) => settle(() => resolve({ code, signal: sig }));
    const onError = (err: Error) => settle(() => reject(err));
    const onExit = () => {
      if (signal.aborted) settle(() => reject(abortReason(signal)));
    };
    const onAbort = () => {
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      if (exited() || child.pid === undefined) return onExit();
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    };
    child.on('close', onClose).on('exit', onExit).on('error', onError);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
