import assert from 'node:assert/strict';
import http from 'node:http';
import type { Sandbox, SluiceProcess } from '../helpers/process.js';

/** Runs `sluice <args…> --json` and parses stdout as one JSON object; the exit code must be 0. */
export async function cliJson<T = Record<string, any>>(box: Sandbox, args: readonly string[]): Promise<T> {
  const result = await box.run([...args, '--json']);
  assert.equal(result.code, 0, `exit ${result.code}:\n${result.stdout}\n${result.stderr}`);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one JSON line expected:\n${result.stdout}`);
  return JSON.parse(lines[0]!) as T;
}

/** The `/metrics` URL a daemon logged (`metrics listening on …`, JSON logs). */
export async function metricsUrl(sluice: SluiceProcess): Promise<string> {
  const line = await sluice.waitForLog('metrics listening', (l) => l.message.startsWith('metrics listening on '));
  return line.message.slice('metrics listening on '.length);
}

export function get(url: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s)).on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
    }).on('error', reject);
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * A small Prometheus text-format (0.0.4) parser: `# HELP` / `# TYPE` lines give each family's type, every other
 * non-empty line is `name{label="value",…} number`. Throws on a line it cannot read, so the format itself is tested.
 */
export function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) labels[pair[1]!] = pair[2]!;
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sample(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.equal(found.length, 1, `one sample ${name}${JSON.stringify(labels)} expected, found ${found.length}`);
  return found[0]!.value;
}
