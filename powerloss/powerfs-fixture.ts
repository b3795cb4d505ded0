/** The fixture of powerfs's own tests: a fresh mount per test, unmounted after it, its invariant and stderr checked. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { Powerfs } from './powerfs.js';

export interface Fixture {
  /** The mounted powerfs of the running test. */
  readonly pfs: Powerfs;
  /** A path on the mount. */
  at(...parts: string[]): string;
  /** cut, then restart. */
  powerCut(): Promise<void>;
}

/** Registers beforeEach/afterEach in the current suite; the returned object serves the running test. */
export function powerfsFixture(): Fixture {
  let tmp: string;
  let pfs: Powerfs;
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'powerfs-'));
    pfs = await Powerfs.mount(tmp);
  });
  afterEach(async () => {
    const stats = await pfs.stats().catch(() => null);
    await pfs.unmount();
    fs.rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(stats?.violations ?? [], [], 'powerfs broke its own invariant');
    assert.equal(pfs.stderr, '', 'powerfs wrote to stderr');
  });
  return {
    get pfs() {
      return pfs;
    },
    at: (...parts) => path.join(pfs.mount, ...parts),
    powerCut: async () => {
      await pfs.cut();
      await pfs.restart();
    },
  };
}
