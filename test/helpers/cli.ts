/**
 * CLI test helpers, on top of process.ts (which spawns sluice in a Sandbox and waits on conditions): YAML configs, the
 * `run --json` report, stack-trace detection, and temp folders for in-process tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { stringify } from 'yaml';
import type { Finished, Sandbox } from './process.js';

export * from './process.js';

/** The `run --json` report, as the contract describes it. */
export interface RunReport {
  readonly processed: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly durationMs: number;
  readonly files: readonly FileReport[];
}

export interface FileReport {
  readonly pipeline: string;
  readonly path: string;
  readonly outcome: 'processed' | 'unchanged' | 'failed';
  readonly outputs: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Runs `sluice run --json …args` in the sandbox and parses stdout, which must be exactly one JSON object (one line).
 * Throws, showing both streams, when it is not.
 */
export async function runJson(box: Sandbox, args: readonly string[] = []): Promise<Finished & { report: RunReport }> {
  const result = await box.run(['run', '--json', ...args]);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  let report: RunReport;
  try {
    if (lines.length !== 1) throw new Error(`${lines.length} lines`);
    report = JSON.parse(lines[0]!) as RunReport;
  } catch (err) {
    throw new Error(`stdout is not one JSON object (${String(err)}; exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
  return { ...result, report };
}

/** The report entry for one input, or a failure naming what the report holds. */
export function fileIn(report: RunReport, relPath: string, pipeline?: string): FileReport {
  const found = report.files.find((f) => f.path === relPath && (pipeline === undefined || f.pipeline === pipeline));
  if (!found) throw new Error(`no report entry for ${relPath}: ${JSON.stringify(report.files)}`);
  return found;
}

/**
 * Writes a config into the sandbox: a string as is, an object as YAML, or as JSON when `name` ends in `.json`.
 * Returns the file's absolute path.
 */
export function writeConfig(box: Sandbox, config: unknown, name = 'sluice.yaml'): string {
  if (typeof config === 'string') return box.write(name, config);
  return box.write(name, name.endsWith('.json') ? `${JSON.stringify(config, null, 2)}\n` : stringify(config));
}

/** True when `text` holds a stack trace (frames are lines starting with "    at "). */
export function hasStackTrace(text: string): boolean {
  return text.includes('    at ');
}

/** A fresh temp folder (its real path) for an in-process test, removed when the test ends. */
export function makeTempDir(t: TestContext, prefix = 'sluice-test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `config` (YAML, or JSON for a `.json` name) to `name` below `dir`, creating folders; returns its path. */
export function writeConfigIn(dir: string, config: unknown, name = 'sluice.yaml'): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof config === 'string' ? config : name.endsWith('.json') ? JSON.stringify(config) : stringify(config));
  return file;
}
