import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built-in config `sluice` falls back to: watch ./inbox, gzip into ./outbox. */
export const builtinConfigFile = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

const candidates = ['sluice.yaml', 'sluice.yml', 'sluice.json'];

export interface ConfigLocation {
  /** The file to read. */
  readonly file: string;
  /** What relative paths inside it resolve against. */
  readonly baseDir: string;
  readonly builtin: boolean;
}

/**
 * `-c FILE` if given; else ./sluice.yaml, ./sluice.yml, ./sluice.json in `cwd`; else the built-in default, whose relative
 * paths resolve against `cwd`.
 */
export function discoverConfig(explicit: string | undefined, cwd: string): ConfigLocation {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    return { file, baseDir: path.dirname(file), builtin: false };
  }
  for (const name of candidates) {
    const file = path.join(cwd, name);
    if (fs.existsSync(file)) return { file, baseDir: cwd, builtin: false };
  }
  return { file: builtinConfigFile, baseDir: cwd, builtin: true };
}
