import fs from 'node:fs/promises';
import path from 'node:path';

/** A temp name beside `file`: same folder (so rename is atomic), hidden, unique to this process and call. */
function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/**
 * Writes `content` to `file` atomically: a temp file beside it, fsync, then rename over it (`replace`) or hard-link it
 * into place (`exclusive`: fails with EEXIST when `file` exists, never clobbering it, even in a race). Readers see the
 * old file or the whole new one. The temp file is removed on every path.
 */
export async function writeAtomic(file: string, content: string, mode: 'replace' | 'exclusive'): Promise<void> {
  const temp = tempBeside(file);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (mode === 'replace') await fs.rename(temp, file);
    else await fs.link(temp, file);
  } finally {
    await fs.rm(temp, { force: true });
  }
}
