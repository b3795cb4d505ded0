import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const moduleOf = (rel: string) => JSON.stringify(fileURLToPath(new URL(`../../src/state/${rel}`, import.meta.url)));

describe('better-sqlite3 handles (sqlite-handles.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sqlite-handles-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // On Node 24.19 and later a collected handle aborts the process from a GC task (SIGABRT, "RemoveEnvironmentCleanupHook
  // ... (env) != nullptr"): stores and locks opened and closed over many event-loop turns, with garbage and a small
  // young generation to make V8 collect often, must end with the process's own exit.
  test('stores and instance locks opened and closed again and again never abort the process', () => {
    const script = `import { SqliteStore } from ${moduleOf('sqlite-store.js')};
      import { InstanceLock } from ${moduleOf('instance-lock.js')};
      const stateDir = ${JSON.stringify(dir)};
      const record = { pipeline: 'p', relPath: 'a.txt', fingerprint: { size: 1, mtimeMs: 1, ino: 1 }, hash: 'h',
        status: 'done', outputs: [], attempts: 1, stage: null, error: null, updatedAt: 1, disposed: false };
      let garbage = [];
      for (let round = 0; round < 60; round++) {
        const lock = InstanceLock.acquire(stateDir);
        const store = new SqliteStore(stateDir);
        await store.put({ ...record, attempts: round });
        await store.counts();
        await store.close();
        new SqliteStore(stateDir, { readonly: true }).close();
        lock.release();
        for (let i = 0; i < 5000; i++) garbage.push({ round, i });
        if (garbage.length > 50000) garbage = [];
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      console.log('done');`;
    const child = spawnSync(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, null, child.stderr);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'done');
  });
});
