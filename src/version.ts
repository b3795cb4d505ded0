import fs from 'node:fs';

/** sluice's version, from its package.json (dist/src → the package root). */
export const version = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
