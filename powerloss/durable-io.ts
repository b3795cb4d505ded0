/** The few durable-I/O steps the power-loss tests take themselves, spelled out as a careful program would. */
import fs from 'node:fs';
import path from 'node:path';

/** fsync(2) of a file or a folder (a folder: FUSE's FSYNCDIR, which makes its entries durable). */
export function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `content` to `file` (creating folders), fsyncs it and, when `linked`, the folder holding it. */
export function writeDurable(file: string, content: string | Buffer, o: { linked?: boolean } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (o.linked ?? true) fsyncPath(path.dirname(file));
}

/** The file's content, or null when it does not exist. */
export function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The error code a synchronous call fails with, or null when it succeeds. */
export function codeOf(call: () => unknown): string | null {
  try {
    call();
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}
