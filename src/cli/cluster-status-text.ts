import type { ClusterStatus } from '../ops/cluster-status.js';
import { duration, table } from './table.js';

/** The text `sluice status` prints in cluster mode. */
export function describeCluster(s: ClusterStatus): string {
  const r = s.redis;
  if (r.link === 'down') {
    return `sluice cluster: Redis at ${r.url} is unreachable (${r.error ?? 'no answer'}); nothing is known of the nodes or queues`;
  }
  const memory = r.usedMemoryBytes === null ? '?' : `${(r.usedMemoryBytes / 1048576).toFixed(1)} MiB`;
  const lines = [
    `sluice cluster on Redis ${r.url} (prefix ${r.prefix}): ${s.nodes.length} live node(s)`,
    `redis ${r.version}, link up, memory ${memory}, AOF ${r.aof ? 'on' : 'off'}, maxmemory-policy ${r.maxmemoryPolicy}`,
    '',
    s.nodes.length === 0 ? 'no live node' : table(['NODE', 'HOST', 'PID', 'VERSION', 'UP', 'IN FLIGHT', 'LAST HEARTBEAT'],
      s.nodes.map((n) => [n.node, n.host, n.pid, n.version, duration(n.uptimeMs), n.inFlight, `${duration(n.lastHeartbeatAgoMs)} ago`])),
    '',
    table(['PIPELINE', 'SCANNER', 'WAITING', 'ACTIVE', 'DELAYED', 'FAILED JOBS', 'PROCESSED', 'FAILED'],
      s.pipelines.map((p) => [p.name, p.scanner ?? '-', p.queue.waiting, p.queue.active, p.queue.delayed, p.queue.failed, p.processed, p.failed])),
  ];
  return lines.join('\n');
}
