import type { Disposition, ResolvedConfig } from './resolved.js';

/** The resolved config as plain data (what `sluice check` prints): absolute paths, every default filled in. */
export function plainConfig(config: ResolvedConfig): Record<string, unknown> {
  const disposition = (d: Disposition) => (d.kind === 'move' ? { moveTo: d.dir } : d.kind);
  return {
    stateDir: config.stateDir,
    log: config.log,
    queue: config.queue,
    rescanIntervalMs: config.rescanIntervalMs,
    shutdownGraceMs: config.shutdownGraceMs,
    http: config.http && { ...config.http, token: config.http.token === null ? null : '(set)' },
    cluster: config.cluster,
    pipelines: config.pipelines.map((p) => ({
      name: p.name,
      input: {
        dir: p.input.dir, include: p.input.include, exclude: p.input.exclude, settleMs: p.input.settleMs,
        marker: p.input.marker?.source ?? null,
      },
      output: {
        dir: p.output.dir, path: p.output.template.source, mode: p.output.mode, maxFiles: p.output.maxFiles,
        marker: p.output.marker?.source ?? null, conflict: p.output.conflict,
      },
      onSuccess: disposition(p.onSuccess),
      onFailure: disposition(p.onFailure),
      retry: p.retry,
      stages: p.stages.map((s) => ({
        use: s.use, with: s.options, concurrency: s.concurrency, timeoutMs: s.timeoutMs, ...(s.ext === null ? {} : { ext: s.ext }),
      })),
    })),
  };
}
