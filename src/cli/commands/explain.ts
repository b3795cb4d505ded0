import { explain, type AsInput, type Explanation, type RecordView } from '../../ops/explain.js';
import { loadConfig } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import { writeOut } from '../stdout.js';
import { duration } from '../table.js';

/** `sluice explain <path>`: why a file was (not) processed, where it is in the pipeline, what produced an output. */
export async function explainCommand(target: string, options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig({ config: options.config });
  const explanation = await explain(config, target);
  await writeOut(options.json ? `${JSON.stringify(explanation)}\n` : `${describeExplanation(explanation)}\n`);
  return ExitCode.ok;
}

export function describeExplanation(e: Explanation): string {
  const lines = [`${e.path}${e.exists ? '' : ' (does not exist)'}`];
  for (const i of e.inputs) lines.push(...describeInput(i));
  for (const o of e.outputOf) {
    lines.push(`  output of pipeline ${o.pipeline} (version ${o.version.slice(0, 12)}${o.currentVersion ? ', the current one' : ', an older one'}): ` +
      `from ${o.input}, written ${o.at}`);
  }
  for (const m of e.moved) {
    lines.push(`  ${m.as} input of pipeline ${m.pipeline}: it came from ${m.input}${m.record ? `; ${recordLine(m.record)}` : ''}`);
    if (m.sidecar) lines.push(`    sidecar ${m.sidecar}`);
    if (m.as === 'quarantined') lines.push(`    sluice retry ${m.input} moves it back to be processed again`);
  }
  if (!e.inputs.some((i) => i.matches) && e.outputOf.length === 0 && e.moved.length === 0) {
    lines.push('  no pipeline takes it as input, and the state store has no record of it as an output');
  }
  return lines.join('\n');
}

function describeInput(i: AsInput): string[] {
  if (!i.matches) return [`  pipeline ${i.pipeline}: not an input (${i.excludedBy})`];
  const lines = [`  pipeline ${i.pipeline}: matches (${i.relPath} in ${i.inputDir})`, `    state: ${stateLine(i)}`];
  if (i.record && i.live) lines.push(`    last result: ${recordLine(i.record)}`);
  if (i.location && i.location.path !== `${i.inputDir}/${i.relPath}`) {
    lines.push(`    input moved to ${i.location.path}${i.location.exists ? '' : ' (no longer there)'}` +
      (i.location.sidecar ? `, sidecar ${i.location.sidecar}` : ''));
  }
  return lines;
}

function stateLine(i: AsInput): string {
  const live = i.live;
  if (live?.state === 'settling') return `settling since ${live.since} (${duration(live.ageMs)}): waiting until it stops changing`;
  if (live?.state === 'queued') return `queued at position ${live.position ?? '?'} since ${live.since}`;
  if (live?.state === 'running') {
    const waiting = live.waiting ? ', waiting for a worker' : '';
    return `in stage ${live.stage ?? '?'} (attempt ${live.attempt ?? 1}${waiting}) for ${duration(live.ageMs)}`;
  }
  const r = i.record;
  switch (i.state) {
    case 'unchanged': return `unchanged since ${recordLine(r!)}`;
    case 'done': return recordLine(r!);
    case 'failed':
      return r!.error?.kind === 'transient'
        ? `${recordLine(r!)}; a transient failure: the next run or rescan tries it again`
        : `${recordLine(r!)}; not retried until it changes (or sluice retry)`;
    case 'changed': {
      const why = i.missingOutput !== null ? `its output ${i.missingOutput} is missing`
        : r && !r.currentVersion ? 'the pipeline changed since' : 'the input changed since';
      return `${r ? `${recordLine(r)}; ` : ''}${why}: it will be processed again`;
    }
    case 'waiting': return `settled, but waiting for its ready marker ${i.marker} (input.marker): processed once that exists`;
    case 'new': return 'not processed yet: it will be once it has settled';
    default: return 'not there, and the state store has no record of it';
  }
}

function recordLine(r: RecordView): string {
  if (r.status === 'done') return `done at ${r.at} → ${r.outputs.join(', ') || '(no output)'}`;
  return `failed at ${r.at} after ${r.attempts} attempt(s) in stage ${r.stage ?? '?'}: ${r.error?.code ?? 'FAILED'}: ${r.error?.message ?? ''}`;
}
