import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { makeTempDir, writeConfigIn } from './cli.js';

export type Obj = Record<string, unknown>;

/** A minimal valid pipeline; `over` replaces top-level keys. */
export function pipe(over: Obj = {}): Obj {
  return { name: 'p', input: { dir: './in' }, output: { dir: './out' }, stages: [{ use: 'copy' }], ...over };
}

/** Loads `config` from a fresh folder; returns the problems, or null when it is valid. */
export async function problemsOf(t: TestContext, config: unknown, name = 'sluice.yaml'): Promise<string[] | null> {
  const dir = makeTempDir(t);
  writeConfigIn(dir, config, name);
  try {
    await loadConfig({ config: name, cwd: dir });
    return null;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.exitCode, 2);
    return [...err.problems];
  }
}

/** Asserts the config is refused with a problem naming each key path (the text before ": " or ", "). */
export async function refused(t: TestContext, config: unknown, ...keys: string[]): Promise<string[]> {
  const problems = await problemsOf(t, config);
  assert.ok(problems !== null, 'expected the config to be refused');
  for (const key of keys) {
    const named = problems.some((p) => p.split(/: /)[0]!.split(', ').includes(key));
    assert.ok(named, `no problem names ${key}:\n${problems.join('\n')}`);
  }
  return problems;
}

export async function accepted(t: TestContext, config: unknown): Promise<void> {
  assert.deepEqual(await problemsOf(t, config), null);
}

