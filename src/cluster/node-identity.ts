import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** The sluice version, from package.json (what heartbeats and status show). */
export const sluiceVersion = (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * A node's temp tag: 8 hex digits of its name, a dot, then its incarnation (start time, base 36): unique per live
 * node, and the node recognises its own earlier incarnations' temps by the first part.
 */
export function nodeTag(node: string, startedAt: number): string {
  return `${nodeTagPrefix(node)}${startedAt.toString(36)}`;
}

/** What every incarnation's tag of `node` starts with. */
export function nodeTagPrefix(node: string): string {
  return `${createHash('sha1').update(node).digest('hex').slice(0, 8)}.`;
}
