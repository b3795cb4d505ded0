// The straightforward Node peer: readFile → zlib → writeFile (temp) → [fsync] → rename, `concurrency` at a time.
// Usage: node node-gzip.js <src> <dst> <concurrency> <fsync 0|1> <gzip|copy>
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const [src, dst, conc, sync, mode] = process.argv.slice(2) as [string, string, string, string, string];
const gzip = promisify(zlib.gzip);

async function list(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await list(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

const files = await list(src);
let next = 0;
async function worker(): Promise<void> {
  while (next < files.length) {
    const rel = files[next++]!;
    const data = await fs.readFile(path.join(src, rel));
    const out = mode === 'copy' ? data : await gzip(data, { level: 6 });
    const final = path.join(dst, mode === 'copy' ? rel : `${rel}.gz`);
    await fs.mkdir(path.dirname(final), { recursive: true });
    const tmp = `${final}.tmp`;
    const handle = await fs.open(tmp, 'w');
    await handle.writeFile(out);
    if (sync === '1') await handle.sync();
    await handle.close();
    await fs.rename(tmp, final);
  }
}
await Promise.all(Array.from({ length: Number(conc) }, worker));
