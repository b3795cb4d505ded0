import fs from 'node:fs/promises';
import path from 'node:path';
import { SluiceError } from '../errors.js';

/**
 * The files a stage left in its result folder (a folder output), as relative paths with `/` separators, sorted.
 * Subfolders are walked; empty ones are no outputs. Fails the attempt (permanent errors: the same program on the same
 * input leaves the same folder) with NO_OUTPUT when there is no file, OUTPUT_TOO_MANY past `maxFiles` (stopping there),
 * OUTPUT_INVALID for a symbolic link, FIFO, socket or device (nothing is published).
 */
export async function resultFiles(dir: string, maxFiles: number, stage: string): Promise<string[]> {
  const files: string[] = [];
  await walk(dir, '', files, maxFiles, stage);
  if (files.length === 0) {
    throw new SluiceError('NO_OUTPUT', `stage ${stage} left no file in its output folder ({outDir}, $SLUICE_OUTPUT_DIR)`,
      { kind: 'permanent', context: { stage } });
  }
  return files.sort();
}

async function walk(root: string, rel: string, files: string[], maxFiles: number, stage: string): Promise<void> {
  const entries = await fs.readdir(rel === '' ? root : path.join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, child, files, maxFiles, stage);
    else if (!entry.isFile()) {
      throw new SluiceError('OUTPUT_INVALID',
        `stage ${stage} left ${child} in its output folder, which is ${kindOf(entry)}: only regular files (and folders of them) can be outputs`,
        { kind: 'permanent', context: { stage, path: child } });
    } else if (files.push(child) > maxFiles) {
      throw new SluiceError('OUTPUT_TOO_MANY',
        `stage ${stage} left more than output.maxFiles (${maxFiles}) files in its output folder; raise output.maxFiles if that many are expected`,
        { kind: 'permanent', context: { stage, maxFiles } });
    }
  }
}

function kindOf(entry: import('node:fs').Dirent): string {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  return 'a device';
}
