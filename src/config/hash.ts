import { createHash } from 'node:crypto';
import type { ResolvedStage } from './resolved.js';

/** Digest of what decides a pipeline's outputs: stages, their options and module code, and the output settings. */
export function pipelineHash(
  stages: readonly Pick<ResolvedStage, 'use' | 'options' | 'transform'>[],
  output: { dir: string; path: string; mode: string; marker?: string },
): string {
  const definition = {
    stages: stages.map((s) => ({ use: s.use, options: s.options ?? null, digest: s.transform.digest ?? null })),
    output,
  };
  return createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
