import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';

/** Longest a look at a folder may take before the share counts as unreachable (a hung NFS mount). */
const lookTimeoutMs = 5000;

/**
 * Why this node cannot work on `p` now, or null: its input folder (or its output folder, or that one's parent while it
 * is not made yet) is not there, not a folder, or does not answer within 5 s (a lost mount). A node that cannot see the share must take none of its jobs (it would fail them
 * all, or write into an empty mount point).
 */
export async function shareProblem(p: ResolvedPipeline): Promise<string | null> {
  for (const [what, dir] of [['input', p.input.dir], ['output', p.output.dir]] as const) {
    let problem = await look(dir);
    // An output folder is made with its first output: its parent will do until then.
    if (what === 'output' && problem === 'ENOENT') problem = await look(path.dirname(dir));
    if (problem !== null) return `the ${what} folder ${dir} of pipeline ${p.name} is unreachable (${problem})`;
  }
  return null;
}

async function look(dir: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${lookTimeoutMs} ms`), lookTimeoutMs);
  });
  const stat = fs.stat(dir).then((s) => (s.isDirectory() ? null : 'not a folder'), (err: NodeJS.ErrnoException) => err.code ?? err.message);
  try {
    return await Promise.race([stat, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
