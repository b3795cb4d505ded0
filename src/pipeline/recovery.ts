import fs from 'node:fs/promises';
import type { ResolvedConfig } from '../config/resolved.js';
import type { EventBus } from '../observability/events.js';
import type { StateStore } from '../state/store.js';
import { removeTempDir } from './temp-files.js';

/**
 * Start-up recovery, run while holding the instance lock and before any intake: removes temp files an earlier process
 * left in output folders, and cuts away append blocks that were being written when it died (their jobs are redone,
 * because their success was never recorded).
 */
export async function recover(config: ResolvedConfig, store: StateStore, events: EventBus): Promise<void> {
  const outputDirs = new Set(config.pipelines.map((p) => p.output.dir));
  for (const dir of outputDirs) {
    const removed = await removeTempDir(dir);
    if (removed > 0) events.emit({ type: 'recovered', what: `${removed} orphaned temp file(s)`, path: dir });
  }
  for (const intent of store.appends()) {
    try {
      const { size } = await fs.stat(intent.path);
      if (size > intent.size) {
        await fs.truncate(intent.path, intent.size);
        events.emit({ type: 'recovered', what: `a half-written append block (${size - intent.size} bytes cut)`, path: intent.path });
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    store.endAppend(intent.path);
  }
}
