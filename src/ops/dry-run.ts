import fs from 'node:fs';
import path from 'node:path';
import type { Disposition, ResolvedConfig } from '../config/resolved.js';
import type { Decision } from '../pipeline/decide.js';
import { upToDate } from '../pipeline/up-to-date.js';
import { readyMarkerFile } from '../watch/ready-marker.js';
import { outputTarget } from '../pipeline/output-paths.js';
import { openStoreReadOnly } from '../state/read-only.js';
import { createFilter } from '../watch/filter.js';
import { scan } from '../watch/scanner.js';
import { fingerprintOf } from '../watch/settle.js';

export interface PlannedFile {
  readonly pipeline: string;
  readonly path: string;
  /** What run would do; `waiting`: it would process the file, but its ready marker (input.marker) is not there yet. */
  readonly action: Decision | 'waiting';
  /** Where the output would go (for `process`). */
  readonly output: string | null;
  /** What would become of the input on success: keep, delete, or the folder it would move to. */
  readonly onSuccess: string;
}

/** What `run` would do, without writing anything: no lock, no state changes, no folders created. */
export async function planRun(config: ResolvedConfig): Promise<PlannedFile[]> {
  const store = await openStoreReadOnly(config);
  const planned: PlannedFile[] = [];
  try {
    for (const p of config.pipelines) {
      if (!fs.existsSync(p.input.dir)) continue;
      for await (const relPath of scan(p.input.dir, createFilter(p))) {
        const absPath = path.join(p.input.dir, relPath);
        let stat;
        try {
          stat = fs.lstatSync(absPath);
        } catch {
          continue;
        }
        const { decision } = await upToDate(p, relPath, fingerprintOf(stat), await store.get(p.name, relPath));
        const marker = readyMarkerFile(p, relPath);
        const waiting = decision === 'process' && marker !== null && !fs.existsSync(marker);
        const action = waiting ? 'waiting' : decision;
        const job = { kind: 'process' as const, pipeline: p, relPath, absPath, fingerprint: fingerprintOf(stat), queuedAt: 0 };
        let output: string | null = null;
        if (action === 'process') {
          try {
            const target = outputTarget(job);
            output = target.kind === 'file' ? target.final : `${target.dir}/`;
          } catch {
            output = null;
          }
        }
        planned.push({ pipeline: p.name, path: relPath, action, output, onSuccess: describeDisposition(p.onSuccess, relPath) });
      }
    }
  } finally {
    await store.close();
  }
  return planned;
}

function describeDisposition(d: Disposition, relPath: string): string {
  return d.kind === 'move' ? path.join(d.dir, relPath) : d.kind;
}
