import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { isWithin } from '../config/validate.js';
import { lstatOrNull } from '../fs/exists.js';
import { controlRequest } from '../control/client.js';
import { openSharedStore, openStoreReadOnly } from '../state/read-only.js';
import { fingerprintOf } from '../watch/settle.js';
import { Submitter } from './submitter.js';
import { SqliteStore } from '../state/sqlite-store.js';
import type { StateStore } from '../state/store.js';
import { scan } from '../watch/scanner.js';
import { readyMarkerOf } from '../watch/ready-marker.js';
import { keptFailureAt, keptFailuresAll } from './kept-failures.js';
import { moveBack } from './move-back.js';
import { quarantineItem, sidecarSuffix, type QuarantinedItem, type RetryItem } from './retry-item.js';

export interface RetryPlan {
  readonly items: readonly RetryItem[];
  /** Paths that are not quarantined, or whose input exists again: nothing is done while there is any. */
  readonly problems: readonly string[];
}

/** Finds the quarantined inputs named by `targets` (the quarantined file, its sidecar, or the original input path) or all. */
export async function planRetry(config: ResolvedConfig, targets: readonly string[], all: boolean, cwd = process.cwd()): Promise<RetryPlan> {
  const store = await openStoreReadOnly(config);
  const items = new Map<string, RetryItem>();
  const problems: string[] = [];
  try {
    const found = all ? [...await quarantinedAll(config), ...await keptFailuresAll(config, store)] : [];
    for (const target of targets) {
      const abs = path.resolve(cwd, target);
      const item = (await quarantinedAt(config, abs, store)) ?? (await keptFailureAt(config, abs, store));
      if (item) found.push(item);
      else problems.push(`${target} is not a quarantined input (no onFailure.moveTo folder holds it with its ${sidecarSuffix} sidecar) nor a failed input kept in place (no failure is recorded for it)`);
    }
    for (const item of found) {
      if (items.has(item.quarantined)) continue;
      if (!item.kept && lstatOrNull(item.input) !== undefined) problems.push(`refusing to retry ${item.quarantined}: its input ${item.input} exists again (remove or rename it first)`);
      items.set(item.quarantined, item);
    }
  } finally {
    await store.close();
  }
  return { items: [...items.values()], problems };
}

/**
 * Retries each item: clears its failure in the store (through the running daemon, the store's one writer while it runs;
 * else directly: a write is one short SQLite transaction, safe beside a `run` thanks to WAL and busy_timeout), moves the
 * input back without replacing anything, then removes the sidecar. Returns the daemon's pid, or null without one.
 */
export async function retry(config: ResolvedConfig, items: readonly RetryItem[], done: (item: RetryItem) => void): Promise<number | null> {
  if (config.cluster) {
    await retryInCluster(config, items, done);
    return null;
  }
  const daemon = await controlRequest<{ pid: number }>(config.stateDir, 'GET', '/status');
  let store: StateStore | null = null;
  try {
    for (const item of items) {
      if (daemon) await controlRequest(config.stateDir, 'POST', '/retry', { pipeline: item.pipeline, path: item.relPath });
      else if (fs.existsSync(path.join(config.stateDir, 'state.db'))) {
        store ??= new SqliteStore(config.stateDir);
        if ((await store.get(item.pipeline, item.relPath))?.status === 'failed') await store.delete(item.pipeline, item.relPath);
      }
      await putBack(config, item);
      done(item);
    }
  } finally {
    await store?.close();
  }
  return daemon?.pid ?? null;
}

/**
 * Cluster mode: clears each failure in the shared store, moves the input back, and enqueues its job at once on the
 * cluster queue (any node takes it; the scanner would find it at its next scan anyway).
 */
async function retryInCluster(config: ResolvedConfig, items: readonly RetryItem[], done: (item: RetryItem) => void): Promise<void> {
  const store = await openSharedStore(config);
  const submit = new Submitter(config);
  try {
    for (const item of items) {
      if ((await store.get(item.pipeline, item.relPath))?.status === 'failed') await store.delete(item.pipeline, item.relPath);
      await putBack(config, item);
      await submit.input(item.pipeline, item.relPath, fingerprintOf(fs.lstatSync(item.input)));
      done(item);
    }
  } finally {
    await Promise.all([store.close(), submit.close()]);
  }
}

/** A quarantined input goes back to its input folder, its ready marker after it, then its sidecar goes; a kept one stays. */
async function putBack(config: ResolvedConfig, item: RetryItem): Promise<void> {
  if (item.kept) return;
  await moveBack(item.quarantined, item.input);
  await moveMarkerBack(config, item);
  fs.rmSync(item.sidecar!, { force: true });
}

/** The input's ready marker (input.marker), moved to quarantine with it, goes back after it: the input is whole first. */
export async function moveMarkerBack(config: ResolvedConfig, item: RetryItem): Promise<void> {
  const p = config.pipelines.find((c) => c.name === item.pipeline);
  const marker = p && readyMarkerOf(p);
  if (!p || !marker || marker.folder || p.onFailure.kind !== 'move') return;
  const rel = marker.pathFor(item.relPath);
  const quarantined = path.join(p.onFailure.dir, rel);
  if (!fs.existsSync(quarantined)) return;
  try {
    await moveBack(quarantined, path.join(p.input.dir, rel));
  } catch (err) {
    if ((err as { code?: string }).code !== 'INPUT_EXISTS') throw err; // A marker is there again: the input has one.
    fs.rmSync(quarantined, { force: true });
  }
}

/** The quarantined input a path names, if it names one. */
async function quarantinedAt(config: ResolvedConfig, abs: string, store: StateStore): Promise<RetryItem | null> {
  const candidates: QuarantinedItem[] = [];
  for (const p of config.pipelines) {
    if (p.onFailure.kind !== 'move') continue;
    for (const dir of [p.onFailure.dir, p.input.dir]) {
      if (abs === dir || !isWithin(dir, abs)) continue;
      let relPath = path.relative(dir, abs).split(path.sep).join('/');
      if (dir === p.onFailure.dir && relPath.endsWith(sidecarSuffix) && lstatOrNull(abs.slice(0, -sidecarSuffix.length))?.isFile()) {
        relPath = relPath.slice(0, -sidecarSuffix.length);
      }
      candidates.push(quarantineItem(p, p.onFailure.dir, relPath));
    }
  }
  for (const c of candidates) {
    if (!lstatOrNull(c.quarantined)?.isFile()) continue;
    if (sidecarPipeline(c.sidecar) === c.pipeline || (await store.get(c.pipeline, c.relPath))?.status === 'failed') return c;
  }
  return null;
}

/** Every quarantined input: each sidecar in an onFailure.moveTo folder whose input is beside it. */
async function quarantinedAll(config: ResolvedConfig): Promise<RetryItem[]> {
  const found: RetryItem[] = [];
  const sidecars = { file: (rel: string) => (rel.endsWith(sidecarSuffix) ? { ok: true as const } : { ok: false as const, rule: '' }), dir: () => true };
  for (const p of config.pipelines) {
    if (p.onFailure.kind !== 'move' || !fs.existsSync(p.onFailure.dir)) continue;
    for await (const rel of scan(p.onFailure.dir, sidecars)) {
      const candidate = quarantineItem(p, p.onFailure.dir, rel.slice(0, -sidecarSuffix.length));
      if (sidecarPipeline(candidate.sidecar) === p.name && lstatOrNull(candidate.quarantined)?.isFile()) found.push(candidate);
    }
  }
  return found;
}


/** The pipeline a sidecar names; null when it cannot be read. */
function sidecarPipeline(file: string): string | null {
  try {
    const pipeline = (JSON.parse(fs.readFileSync(file, 'utf8')) as { pipeline?: unknown }).pipeline;
    return typeof pipeline === 'string' ? pipeline : null;
  } catch {
    return null;
  }
}
