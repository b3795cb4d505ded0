import { z } from 'zod';
import { httpSchema } from './http-schema.js';

/**
 * The ONE config schema: every key, its type, its default and its refusals. Unknown keys are refused everywhere.
 * Semantic checks that need more than one key (overlapping inputs, templates, transforms) live in validate.ts.
 */
const ms = (fallback: number) =>
  z.number({ error: 'expected a whole number of milliseconds' }).int('expected a whole number of milliseconds')
    .min(0, 'expected 0 or more milliseconds').default(fallback);

const dir = z.string({ error: 'expected a folder path' }).min(1, 'expected a folder path, got an empty string');

const moveTo = z.strictObject({ moveTo: dir });

const onSuccess = z.union([z.literal('keep'), z.literal('delete'), moveTo], {
  error: 'expected keep, delete or { moveTo: DIR }',
}).default('keep');

const onFailure = z.union([z.literal('keep'), moveTo], { error: 'expected keep or { moveTo: DIR }' }).default('keep');

const globs = z.array(z.string().min(1, 'expected a non-empty glob'), { error: 'expected a list of globs' });

const stage = z.strictObject({
  use: z.string({ error: 'expected a built-in transform name or a ./path/to/module.mjs' }).min(1),
  with: z.unknown().optional(),
  concurrency: z.number({ error: 'expected a whole number of workers' }).int().min(1).max(1024).default(2),
  timeoutMs: ms(600_000).refine((v) => v > 0, 'expected more than 0 milliseconds'),
  /** The extension of this stage's result when another stage follows (its temp file's name ends with it). */
  ext: z.string({ error: 'expected an extension like ".wav"' })
    .regex(/^\.[A-Za-z0-9_+~-]{1,32}$/, 'expected an extension like ".wav": a dot, then 1 to 32 letters, digits, _ + ~ or -')
    .optional(),
});

const pipeline = z.strictObject({
  name: z.string({ error: 'expected a pipeline name' })
    .regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes only ([a-z0-9-]+)'),
  input: z.strictObject({
    dir: dir.default('./inbox'),
    include: globs.min(1, 'expected at least one glob').default(['**/*']),
    exclude: globs.default([]),
    settleMs: ms(1000),
    /** A ready marker ("done file") each input waits for: a name in the input's folder, with {base}, {name}, {ext}. */
    marker: z.string({ error: 'expected a marker name template like "{base}.done"' }).min(1).optional(),
  }).prefault({}),
  output: z.strictObject({
    dir: dir.default('./outbox'),
    /** A file template, or a folder template (ending in `/`) for stages that leave many files. */
    path: z.string({ error: 'expected a path template' }).min(1).default('{relDir}/{base}'),
    mode: z.enum(['replace', 'append'], { error: 'expected replace or append' }).default('replace'),
    /** Most files one input may leave in a folder output. */
    maxFiles: z.number({ error: 'expected a whole number of files' }).int('expected a whole number of files')
      .min(1, 'expected at least 1 file').max(1_000_000, 'expected at most 1,000,000 files').default(10_000),
    /** A completion marker written (empty) inside output.dir once an input's outputs are committed. */
    marker: z.string({ error: 'expected a path template like "{relDir}/{name}/_SUCCESS"' }).min(1).optional(),
    /** What happens when an output path exists and this input did not write it; replace when absent. */
    conflict: z.enum(['replace', 'keep', 'fail', 'rename'], { error: 'expected replace, keep, fail or rename' }).optional(),
  }).prefault({}),
  onSuccess,
  onFailure,
  retry: z.strictObject({
    attempts: z.number({ error: 'expected a whole number of attempts' }).int().min(1, 'expected at least 1 attempt')
      .max(1000).default(3),
    backoffMs: ms(1000),
    maxBackoffMs: ms(60_000),
  }).prefault({}),
  stages: z.array(stage, { error: 'expected a list of stages' }).min(1, 'expected at least one stage'),
});

/** The keys the folder checks need, parsed on their own when the rest of a pipeline is refused. */
export const pipelineFoldersSchema = pipeline.pick({ input: true, output: true, onSuccess: true, onFailure: true }).loose();

export const configSchema = z.strictObject({
  stateDir: dir.default('.sluice'),
  log: z.strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug'], { error: 'expected error, warn, info or debug' }).default('info'),
    format: z.enum(['pretty', 'json'], { error: 'expected pretty or json' }).default('pretty'),
    file: z.string().min(1).nullable().default(null),
  }).prefault({}),
  queue: z.strictObject({
    capacity: z.number({ error: 'expected a whole number' }).int().min(1, 'expected at least 1').max(1_000_000)
      .default(1000),
  }).prefault({}),
  rescanIntervalMs: ms(300_000),
  shutdownGraceMs: ms(30_000),
  /** The HTTP listener: the dashboard at `/`, its API, `/metrics` and `/healthz`; off (null) by default. */
  http: httpSchema,
  /** Renamed to `http` (with the dashboard): refused, naming the new key. */
  metrics: z.unknown().optional().superRefine((value, ctx) => {
    if (value !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'the metrics: key was renamed to http: (it also serves the dashboard now); write http: { host: 127.0.0.1, port: 9464 } ' +
          'instead of metrics: { … }, or remove the key to serve nothing',
      });
    }
  }),
  /** Cluster mode (see README, Running a cluster): null is one node with SQLite. */
  cluster: z.strictObject({
    redis: z.string({ error: 'expected a Redis URL: redis://host:6379/0 or unix:///path/redis.sock' })
      .regex(/^(redis|rediss):\/\/.+|^unix:\/\/\/.+/, 'expected a Redis URL: redis://host:6379/0 or unix:///path/redis.sock'),
    prefix: z.string({ error: 'expected a key prefix' })
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1 to 64 letters, digits, _ . or - (no colon)').default('sluice'),
    node: z.string({ error: 'expected a node name or null' })
      .regex(/^[A-Za-z0-9_.@-]{1,100}$/, 'expected 1 to 100 letters, digits, _ . @ or -').nullable().default(null),
    lockMs: ms(30_000).refine((v) => v >= 200, 'expected at least 200 milliseconds'),
    scanIntervalMs: ms(10_000).refine((v) => v >= 50, 'expected at least 50 milliseconds'),
  }, { error: 'expected { redis, prefix, node, lockMs, scanIntervalMs } or null' }).nullable().default(null),
  pipelines: z.array(pipeline, { error: 'expected a list of pipelines' }).min(1, 'expected at least one pipeline'),
});

export type RawConfig = z.output<typeof configSchema>;
export type RawPipeline = RawConfig['pipelines'][number];
export type RawStage = RawPipeline['stages'][number];
export type LogLevel = RawConfig['log']['level'];
export type LogFormat = RawConfig['log']['format'];
