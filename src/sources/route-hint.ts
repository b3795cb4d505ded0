import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPipeline } from '../config/resolved.js';
import type { Intake } from '../pipeline/intake.js';
import { createFilter, type InputFilter } from '../watch/filter.js';
import { readyMarkerOf, type MarkerTargets } from '../watch/ready-marker.js';

const filters = new WeakMap<ResolvedPipeline, InputFilter>();
/** Folders being listed for a marker's inputs (true: list once more after, a marker came meanwhile). Bounded. */
const listing = new Map<string, boolean>();
const maxListings = 256;

/**
 * Hands a watch event's path to the intake of every pipeline whose input folder and filter take it. An event for a
 * ready marker (input.marker) is a hint for the input(s) it is the marker of.
 */
export function routeHint(pipelines: readonly ResolvedPipeline[], intake: Intake, absPath: string): void {
  for (const p of pipelines) {
    const rel = path.relative(p.input.dir, absPath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const relPath = rel.split(path.sep).join('/');
    if (filterOf(p).file(relPath).ok) intake.hint(p, relPath);
    else {
      const marker = readyMarkerOf(p);
      if (marker?.isMarker(path.posix.basename(relPath))) hintTargets(p, intake, marker.targets(relPath));
    }
  }
}

function hintTargets(p: ResolvedPipeline, intake: Intake, targets: MarkerTargets): void {
  const filter = filterOf(p);
  if (targets.kind === 'files') {
    for (const relPath of targets.relPaths) if (filter.file(relPath).ok) intake.hint(p, relPath);
    return;
  }
  const key = `${p.name}\0${targets.relDir}`;
  if (listing.has(key)) {
    listing.set(key, true);
    return;
  }
  // Past the bound a marker's hint is dropped: the input stays for the next scan, as any dropped hint does.
  if (listing.size >= maxListings) return;
  listing.set(key, false);
  void fs.readdir(path.join(p.input.dir, targets.relDir), { withFileTypes: true })
    .then((entries) => {
      for (const entry of entries) {
        const relPath = targets.relDir === '' ? entry.name : `${targets.relDir}/${entry.name}`;
        if (entry.isFile() && targets.match(entry.name) && filter.file(relPath).ok) intake.hint(p, relPath);
      }
    }, () => {})
    .finally(() => {
      const again = listing.get(key) === true;
      listing.delete(key);
      if (again) hintTargets(p, intake, targets);
    });
}

function filterOf(p: ResolvedPipeline): InputFilter {
  let filter = filters.get(p);
  if (!filter) filters.set(p, (filter = createFilter(p)));
  return filter;
}
