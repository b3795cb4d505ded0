import path from 'node:path';

/** The control socket of a state directory: HTTP over a unix socket, mode 0600, served by the daemon holding it. */
export function controlSocketPath(stateDir: string): string {
  return path.join(stateDir, 'control.sock');
}
