import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent } from './events.js';
import type { LiveStats } from './stats.js';

const outcomes = ['processed', 'unchanged', 'failed'] as const;

/**
 * The daemon's Prometheus metrics, in a private registry (never prom-client's global one): counters and histograms fed
 * by engine events, gauges read from the live stats at scrape time. Label values are pipeline names and stage names
 * from the config, so the series are bounded by the config.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #known = new Set<string>();
  readonly #files: Counter<'pipeline' | 'outcome'>;
  readonly #rescans: Counter<'pipeline'>;
  readonly #retries: Counter<'pipeline'>;
  readonly #stages: Histogram<'pipeline' | 'stage'>;
  readonly #lockWait: Histogram;
  readonly #duration: Histogram<'pipeline'>;

  /** With `cluster`: every series carries the node's name (label `node`), and the shared queues' job counts are gauges. */
  constructor(pipelines: readonly string[], stats: LiveStats, cluster?: ClusterGauges) {
    const registers = [this.registry];
    if (cluster) {
      this.registry.setDefaultLabels({ node: cluster.node });
      clusterGauges(this.registry, cluster);
    }
    const known = this.#known;
    this.#files = new Counter({
      name: 'sluice_files_total', help: 'Inputs by pipeline and outcome since the daemon started (failed: after every attempt).',
      labelNames: ['pipeline', 'outcome'], registers,
    });
    this.#rescans = new Counter({
      name: 'sluice_files_found_by_rescan_total', help: 'Inputs that only a rescan found (the watcher missed them).',
      labelNames: ['pipeline'], registers,
    });
    this.#retries = new Counter({ name: 'sluice_retries_total', help: 'Failed attempts that are retried.', labelNames: ['pipeline'], registers });
    this.#stages = new Histogram({
      name: 'sluice_stage_duration_seconds', help: 'Duration of successful stage attempts.',
      labelNames: ['pipeline', 'stage'], buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 120, 600], registers,
    });
    this.#lockWait = new Histogram({
      name: 'sluice_lock_wait_seconds', help: 'Time a commit waited for the lock of its output path.',
      buckets: [0.0001, 0.001, 0.01, 0.1, 1, 10, 60], registers,
    });
    this.#duration = new Histogram({
      name: 'sluice_file_duration_seconds', help: 'From queued to committed, for processed inputs.',
      labelNames: ['pipeline'], buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600], registers,
    });
    this.reconfigure(pipelines);
    this.#gauges(stats, known);
    this.listener = (e) => this.#on(e, known);
  }

  readonly listener: (e: EngineEvent) => void;

  /** Follows a reloaded config: new pipelines get their series at zero; series of removed ones stay, frozen. */
  reconfigure(pipelines: readonly string[]): void {
    for (const pipeline of pipelines) {
      if (this.#known.has(pipeline)) continue;
      this.#known.add(pipeline);
      for (const outcome of outcomes) this.#files.inc({ pipeline, outcome }, 0);
      this.#rescans.inc({ pipeline }, 0);
      this.#retries.inc({ pipeline }, 0);
    }
  }

  #on(e: EngineEvent, known: ReadonlySet<string>): void {
    if (!('pipeline' in e) || !known.has(e.pipeline)) return;
    const pipeline = e.pipeline;
    switch (e.type) {
      case 'processed':
        this.#files.inc({ pipeline, outcome: 'processed' });
        this.#duration.observe({ pipeline }, e.durationMs / 1000);
        break;
      case 'unchanged': this.#files.inc({ pipeline, outcome: 'unchanged' }); break;
      case 'failed': if (!e.previously) this.#files.inc({ pipeline, outcome: 'failed' }); break;
      case 'found-by-rescan': this.#rescans.inc({ pipeline }); break;
      case 'retry': this.#retries.inc({ pipeline }); break;
      case 'stage': this.#stages.observe({ pipeline, stage: e.stage }, e.durationMs / 1000); break;
      case 'lock-wait': this.#lockWait.observe(e.waitMs / 1000); break;
      default: break;
    }
  }

  #gauges(stats: LiveStats, known: ReadonlySet<string>): void {
    const registers = [this.registry];
    // One snapshot per scrape, shared by every gauge's collect().
    let cached: { at: number; value: ReturnType<LiveStats['snapshot']> } | null = null;
    const snap = () => {
      if (cached === null || Date.now() - cached.at > 100) cached = { at: Date.now(), value: stats.snapshot() };
      return cached.value;
    };
    const perPipeline = (name: string, help: string, pick: (p: ReturnType<LiveStats['snapshot']>['pipelines'][number]) => number) =>
      new Gauge({
        name, help, labelNames: ['pipeline'], registers,
        collect() {
          for (const p of snap().pipelines) if (known.has(p.name)) this.set({ pipeline: p.name }, pick(p));
        },
      });
    perPipeline('sluice_queue_depth', 'Files waiting in the pipeline queue.', (p) => p.queue.depth);
    perPipeline('sluice_queue_capacity', 'Capacity of the pipeline queue (queue.capacity).', (p) => p.queue.capacity);
    perPipeline('sluice_jobs_in_flight', 'Jobs past the queue: in a stage, committing, or waiting to retry.', (p) => p.inFlight);
    perPipeline('sluice_files_pending', 'Files settling or queued.', (p) => p.pending);
    new Gauge({
      name: 'sluice_oldest_pending_age_seconds', help: 'Age of the oldest file settling or queued (0 when none).', registers,
      collect() {
        this.set((snap().oldestPendingAgeMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'sluice_draining', help: '1 while the daemon is stopping (draining), else 0.', registers,
      collect() {
        this.set(snap().state === 'running' ? 0 : 1);
      },
    });
  }
}

/** What cluster mode adds to the metrics: the node's name and the shared queues' counts. */
export interface ClusterGauges {
  readonly node: string;
  readonly queueCounts: () => Promise<readonly QueueCounts[]>;
}

export interface QueueCounts {
  readonly pipeline: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

/** `sluice_cluster_queue_jobs{pipeline, state}`: jobs of the cluster-wide queue, read from Redis at each scrape. */
function clusterGauges(registry: Registry, cluster: ClusterGauges): void {
  new Gauge({
    name: 'sluice_cluster_queue_jobs', help: 'Jobs in the cluster queue, all nodes together, by state (waiting, active, delayed, failed).',
    labelNames: ['pipeline', 'state'], registers: [registry],
    async collect() {
      for (const c of await cluster.queueCounts().catch(() => [])) {
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ pipeline: c.pipeline, state }, c[state]);
      }
    },
  });
}
