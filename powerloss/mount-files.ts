/** Reading back what is on the mount: the checks' view of a folder tree. */
import fs from 'node:fs';
import path from 'node:path';

/** Folder inside each output.dir where sluice's stages write. */
export const tempDir = '.sluice-tmp';

/** The file's bytes, or null when it does not exist. */
export function bytesOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Every non-directory under `dir`, relative and `/`-separated, sorted; [] when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  return walk(dir).files;
}

/** How many files are under `dir`, temp files excluded. */
export function countFiles(dir: string): number {
  return filesUnder(dir).filter((f) => !f.startsWith(`${tempDir}/`)).length;
}

/** Every folder under `dir` (not `dir` itself), relative and `/`-separated, sorted; [] when `dir` does not exist. */
export function foldersUnder(dir: string): string[] {
  return walk(dir).folders;
}

function walk(dir: string): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  const visit = (d: string, prefix: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        folders.push(`${prefix}${e.name}`);
        visit(path.join(d, e.name), `${prefix}${e.name}/`);
      } else {
        files.push(`${prefix}${e.name}`);
      }
    }
  };
  visit(dir, '');
  return { files: files.sort(), folders: folders.sort() };
}
