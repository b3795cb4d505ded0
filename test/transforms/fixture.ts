import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { TransformContext, TransformDefinition } from '../../src/transforms/types.js';

export interface Fixture {
  readonly dir: string;
  path(name: string): string;
  write(name: string, data: string | Uint8Array): Promise<string>;
  read(name: string): Promise<Buffer>;
  /** A context reading `input` (a name in dir) and writing `output` (default 'out'), options parsed by `def`. */
  context<O>(
    def: TransformDefinition<O>,
    raw: unknown,
    input: string,
    init?: ContextInit,
  ): Promise<TransformContext<O>>;
}

export interface ContextInit {
  output?: string;
  signal?: AbortSignal;
}

const silent = { debug() {}, info() {}, warn() {} };

/** A fresh temp folder for one test, removed when the test ends. */
export async function fixture(t: TestContext): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-transforms-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);
  return {
    dir,
    path,
    async write(name, data) {
      await writeFile(path(name), data);
      return path(name);
    },
    read: (name) => readFile(path(name)),
    async context(def, raw, input, init = {}) {
      const parsed = def.parseOptions(raw);
      assert.ok(parsed.ok, `options refused: ${JSON.stringify(parsed)}`);
      const info = await stat(path(input));
      return {
        input: path(input),
        output: path(init.output ?? 'out'),
        source: { path: path(input), relPath: input, size: info.size, mtimeMs: info.mtimeMs },
        options: parsed.value,
        signal: init.signal ?? new AbortController().signal,
        log: silent,
      };
    },
  };
}

/** The issue paths parseOptions reports for `raw`, or fails the test when it accepts them. */
export function issuePaths(def: TransformDefinition<unknown>, raw: unknown): unknown[][] {
  const parsed = def.parseOptions(raw);
  assert.equal(parsed.ok, false, `expected ${JSON.stringify(raw)} to be refused`);
  return parsed.ok ? [] : parsed.issues.map((issue) => [...issue.path]);
}

/** Asserts that `promise` rejects with an error having this `code` and `kind`, and returns that error. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  kind?: string,
): Promise<Error & Record<string, unknown>> {
  const err = await promise.then(
    () => assert.fail(`expected a rejection with code ${code}`),
    (e: unknown) => e as Error & Record<string, unknown>,
  );
  assert.equal(err.code, code, `code of ${String(err.stack ?? err)}`);
  if (kind !== undefined) assert.equal(err.kind, kind);
  return err;
}
