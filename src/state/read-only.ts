import fs from 'node:fs';
import path from 'node:path';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { StateStore } from './store.js';

/**
 * The state store for reading beside (or without) a running instance: no instance lock taken, nothing created; an
 * empty store when there is no state database yet.
 */
export function openStoreReadOnly(stateDir: string): StateStore {
  if (!fs.existsSync(path.join(stateDir, 'state.db'))) return new MemoryStore();
  return new SqliteStore(stateDir, { readonly: true });
}
