import os from 'node:os';
import path from 'node:path';
import { ConfigError, describe } from '../errors.js';
import { resolveTransform } from '../transforms/registry.js';
import { discoverConfig, type ConfigLocation } from './discover.js';
import { pipelineHash } from './hash.js';
import { describeIssues, keyPath } from './issues.js';
import { parseConfigFile } from './parse-file.js';
import type { Disposition, ResolvedConfig, ResolvedPipeline, ResolvedStage } from './resolved.js';
import { configSchema, pipelineFoldersSchema, type LogFormat, type LogLevel, type RawPipeline, type RawStage } from './schema.js';
import { inputMarker, outputMarker, outputRules } from './output-rules.js';
import { parseTemplate } from './template.js';
import { checkPipelines, duplicateNames, isWithin, type PipelineFolders } from './validate.js';

export interface LoadOptions {
  /** `-c FILE`, relative to `cwd`. */
  readonly config?: string;
  readonly cwd?: string;
  /** Command-line overrides of `log.level` and `log.format`. */
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
}

/**
 * Finds, parses, validates and compiles the config: absolute paths, parsed templates, resolved transforms with validated
 * options, pipeline hashes. Throws one ConfigError listing every violation found.
 */
export async function loadConfig(options: LoadOptions = {}): Promise<ResolvedConfig> {
  const location = discoverConfig(options.config, options.cwd ?? process.cwd());
  const data = parseConfigFile(location.file);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, data);
    problems.push(...(await looseChecks(data, location.baseDir, problems)));
    throw invalid(location, problems);
  }
  const raw = parsed.data;
  const problems: string[] = [];
  const at = (p: string) => path.resolve(location.baseDir, p);
  const stateDir = at(raw.stateDir);
  const pipelines: ResolvedPipeline[] = [];
  for (const [i, p] of raw.pipelines.entries()) {
    const stages = await resolveStages(p, i, location.baseDir, problems);
    pipelines.push(compilePipeline(p, i, stages, at, problems));
  }
  problems.push(...duplicateNames(pipelines.map((p) => p.name)), ...checkPipelines(pipelines, stateDir));
  if (problems.length > 0) throw invalid(location, problems);
  const cluster = raw.cluster && { ...raw.cluster, node: raw.cluster.node ?? `${os.hostname()}-${process.pid}`, named: raw.cluster.node !== null };
  const config: ResolvedConfig = {
    file: location.builtin ? null : location.file,
    baseDir: location.baseDir,
    // A cluster node keeps its own part (instance lock, control socket) below the shared setting, so several nodes on
    // one machine may share a config file.
    stateDir: cluster ? path.join(stateDir, 'nodes', cluster.node) : stateDir,
    log: {
      level: options.logLevel ?? raw.log.level,
      format: options.logFormat ?? raw.log.format,
      file: raw.log.file === null ? null : at(raw.log.file),
    },
    queue: { capacity: raw.queue.capacity },
    rescanIntervalMs: raw.rescanIntervalMs,
    shutdownGraceMs: raw.shutdownGraceMs,
    http: raw.http,
    cluster,
    pipelines: withExcludedDirs(pipelines, stateDir),
  };
  return deepFreeze(config);
}

/**
 * When the schema already refused the config, still check what can be checked (templates, transforms and their
 * options) on the raw data, so every violation is reported in one go. Skips keys the schema already complained about.
 */
async function looseChecks(data: unknown, baseDir: string, already: readonly string[]): Promise<string[]> {
  const pipelines = (data as { pipelines?: unknown }).pipelines;
  if (!Array.isArray(pipelines)) return [];
  const problems = duplicateNames(pipelines.map((p) => (p as { name?: unknown } | null)?.name));
  const at = (p: string) => path.resolve(baseDir, p);
  const stateDir = configSchema.shape.stateDir.safeParse((data as { stateDir?: unknown }).stateDir);
  problems.push(...checkPipelines(pipelines.map((p) => foldersOf(p, at)), stateDir.success ? at(stateDir.data) : undefined));
  for (const [i, p] of pipelines.entries()) {
    if (p === null || typeof p !== 'object') continue;
    const raw = p as { output?: { path?: unknown }; stages?: unknown };
    if (typeof raw.output?.path === 'string') {
      for (const problem of parseTemplate(raw.output.path).problems) {
        problems.push(`pipelines[${i}].output.path: "${raw.output.path}" ${problem}`);
      }
    }
    if (!Array.isArray(raw.stages)) continue;
    const stages = raw.stages.filter((s): s is RawStage => typeof (s as RawStage | null)?.use === 'string');
    if (stages.length !== raw.stages.length) continue;
    await resolveStages({ stages } as RawPipeline, i, baseDir, problems);
  }
  return problems.filter((line) => !already.some((a) => a.split(':')[0] === line.split(':')[0]));
}

/** A pipeline's folders when its name, input, output and dispositions pass the schema (other keys may not). */
function foldersOf(raw: unknown, at: (p: string) => string): PipelineFolders | undefined {
  const parsed = pipelineFoldersSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  return {
    name: String((raw as { name?: unknown }).name), input: { dir: at(p.input.dir), include: p.input.include },
    output: { dir: at(p.output.dir) }, onSuccess: disposition(p.onSuccess, at), onFailure: disposition(p.onFailure, at),
  };
}

function disposition(d: RawPipeline['onSuccess'], at: (p: string) => string): Disposition {
  return d === 'keep' ? { kind: 'keep' } : d === 'delete' ? { kind: 'delete' } : { kind: 'move', dir: at(d.moveTo) };
}

function invalid(location: ConfigLocation, problems: readonly string[]): ConfigError {
  const name = location.builtin ? `the built-in config ${location.file}` : `the config file ${location.file}`;
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return new ConfigError(`${name} has ${count}:`, problems);
}

async function resolveStages(p: RawPipeline, i: number, baseDir: string, problems: string[]): Promise<ResolvedStage[]> {
  const stages: ResolvedStage[] = [];
  for (const [s, stage] of p.stages.entries()) {
    const key = ['pipelines', i, 'stages', s];
    let transform;
    try {
      transform = await resolveTransform(stage.use, baseDir);
    } catch (err) {
      problems.push(`${keyPath([...key, 'use'])}: ${describe(err)}`);
      continue;
    }
    const parsed = transform.parseOptions(stage.with, { baseDir });
    if (!parsed.ok) {
      for (const issue of parsed.issues) problems.push(`${keyPath([...key, 'with', ...issue.path])}: ${issue.message}`);
      continue;
    }
    stages.push({
      index: s, use: stage.use, transform, options: parsed.value, concurrency: stage.concurrency, timeoutMs: stage.timeoutMs,
      ext: stage.ext ?? null,
    });
  }
  return stages;
}

function compilePipeline(
  p: RawPipeline, i: number, stages: ResolvedStage[], at: (p: string) => string, problems: string[],
): ResolvedPipeline {
  const { template, problems: templateProblems } = parseTemplate(p.output.path);
  for (const problem of templateProblems) problems.push(`pipelines[${i}].output.path: "${p.output.path}" ${problem}`);
  const marker = outputMarker(p.output.marker, i, problems);
  const output = {
    dir: at(p.output.dir), template, mode: p.output.mode, maxFiles: p.output.maxFiles, marker,
    conflict: p.output.conflict ?? 'replace',
  } as const;
  problems.push(...outputRules(p, i, stages));
  return {
    name: p.name,
    input: { ...p.input, dir: at(p.input.dir), excludedDirs: [], marker: inputMarker(p.input.marker, i, problems) },
    output,
    onSuccess: disposition(p.onSuccess, at),
    onFailure: disposition(p.onFailure, at),
    retry: p.retry,
    stages,
    hash: pipelineHash(stages, {
      dir: output.dir, path: p.output.path, mode: p.output.mode, ...(p.output.marker === undefined ? {} : { marker: p.output.marker }),
    }),
  };
}

/** Every folder sluice writes to that lies strictly inside a pipeline's input folder is excluded from that input. */
function withExcludedDirs(pipelines: ResolvedPipeline[], stateDir: string): ResolvedPipeline[] {
  const written = new Set<string>([stateDir]);
  for (const p of pipelines) {
    written.add(p.output.dir);
    for (const d of [p.onSuccess, p.onFailure]) if (d.kind === 'move') written.add(d.dir);
  }
  return pipelines.map((p) => {
    const excludedDirs = [...written].filter((dir) => dir !== p.input.dir && isWithin(p.input.dir, dir));
    return { ...p, input: { ...p.input, excludedDirs } };
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null && !isTransform(child)) deepFreeze(child);
    }
  }
  return value;
}

function isTransform(value: object): boolean {
  return typeof (value as { run?: unknown }).run === 'function';
}

