import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The dashboard's page: the package's `web/` folder (dist/src/http → the package root). */
export const webDir = fileURLToPath(new URL('../../../web/', import.meta.url));

const types: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const segment = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The static file a URL path names: `/` is `web/index.html`, `/assets/<path>` is `web/<path>`. Only plain names with a
 * known extension inside web/ (no `..`, no hidden files, no symlink out): anything else is null (a 404).
 */
export async function staticFile(urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const rel = urlPath === '/' ? 'index.html' : urlPath.startsWith('/assets/') ? urlPath.slice('/assets/'.length) : null;
  if (rel === null || !rel.split('/').every((s) => segment.test(s))) return null;
  const type = types[path.extname(rel)];
  if (type === undefined) return null;
  try {
    const file = await fs.realpath(path.join(webDir, rel));
    if (!file.startsWith(await fs.realpath(webDir))) return null;
    return { body: await fs.readFile(file), type };
  } catch {
    return null;
  }
}
