import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasStackTrace, pipeline, runJson, Sandbox, sluiceBin, writeConfig, type Finished, type RunReport } from '../helpers/cli.js';

// Machine-readable output arrives whole through a pipe, however large and however slow the reader, with the exit code
// unchanged; a reader that closes the pipe early changes nothing sluice does (src/cli/stdout.ts). sluice runs as a
// real process with its stdout connected to a real reader: a Node pipe that is not read until sluice has begun to
// write and then not for a second more, or a shell pipeline into jq or head.
const FOLDERS = 20;
const PER_FOLDER = 1_000;
const FILES = FOLDERS * PER_FOLDER;
const READER_DELAY_MS = 1_000;
const TIMEOUT_MS = 120_000;
/** Info lines (one per file) would only slow the runs down; warnings and errors still show. */
const QUIET = ['--log-level', 'warn'] as const;

/** The environment the helpers give sluice: the launch settings up front, so bin/sluice does not relaunch itself. */
const env: NodeJS.ProcessEnv = {
  ...process.env, MALLOC_ARENA_MAX: '2',
  NODE_OPTIONS: [process.env['NODE_OPTIONS'], '--max-semi-space-size=2'].filter(Boolean).join(' '),
};

describe('machine-readable output through a pipe', () => {
  let box: Sandbox;
  const children: ChildProcess[] = [];

  before(() => {
    box = Sandbox.create();
    for (let d = 0; d < FOLDERS; d++) {
      fs.mkdirSync(box.path('inbox', `d${d}`), { recursive: true });
      for (let f = 0; f < PER_FOLDER; f++) fs.writeFileSync(box.path('inbox', `d${d}`, `f${f}.txt`), `${d}/${f}`);
    }
  });
  after(async () => {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await box.dispose();
  });

  /** A config of its own (state folder, output folder) over the shared inbox of FILES files; returns its path. */
  const config = (name: string) =>
    writeConfig(box, { stateDir: `./state-${name}`, pipelines: [pipeline({ output: { dir: `./out-${name}` } })] }, `${name}.yaml`);

  const start = (command: string, args: readonly string[]) => {
    const child = spawn(command, args, { cwd: box.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const closed = new Promise<Omit<Finished, 'stdout'>>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    });
    return { child, closed };
  };

  /**
   * Runs `sluice …args` with a reader that takes nothing until sluice has begun to write (or closed stdout), and nothing
   * for READER_DELAY_MS more. Meanwhile at most a pipe's worth and a stream buffer's worth of output fit in.
   */
  async function throughSlowReader(args: readonly string[]): Promise<Finished> {
    const { child, closed } = start(process.execPath, [sluiceBin, ...QUIET, ...args]);
    const out = child.stdout!;
    // Paused mode: nothing is consumed until read(); and child_process does not drain a stream that has a 'readable'
    // listener when the process exits (it would drop unread output otherwise).
    out.on('readable', () => {});
    await once(out, 'readable');
    await sleep(READER_DELAY_MS);
    const chunks: Buffer[] = [];
    for await (const chunk of out) chunks.push(chunk as Buffer);
    return { ...(await closed), stdout: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * Runs `sluice …args | reader` in /bin/sh. Resolves with the shell's exit (the reader's), what the reader wrote,
   * sluice's own exit code and its stderr.
   */
  async function intoShellReader(args: readonly string[], reader: string) {
    const script = `{ "$@" 2>sluice.err; echo $? >sluice.code; } | ${reader} >reader.out`;
    const { closed } = start('/bin/sh', ['-c', script, 'sh', process.execPath, sluiceBin, ...QUIET, ...args]);
    const exit = await closed;
    return {
      exit, out: box.read('reader.out')!.toString(), sluiceCode: Number(box.read('sluice.code')!.toString()),
      sluiceErr: box.read('sluice.err')!.toString(),
    };
  }

  const parse = <T>(r: Finished): T => {
    assert.equal(r.stdout.split('\n').length, 2, `one JSON line and its newline (${r.stdout.length} bytes)`);
    return JSON.parse(r.stdout) as T;
  };

  const assertClean = (stderr: string) => {
    assert.ok(!hasStackTrace(stderr), stderr);
    assert.doesNotMatch(stderr, /EPIPE|ERR_STREAM/, stderr);
  };

  test('run --json: a report of 20,000 files arrives whole through a slow reader; exit 0', { timeout: TIMEOUT_MS }, async () => {
    const r = await throughSlowReader(['run', '--json', '-c', config('json')]);
    assert.equal(r.code, 0, r.stderr);
    assertClean(r.stderr);
    const report = parse<RunReport>(r);
    assert.equal(report.processed, FILES);
    assert.equal(report.files.length, FILES);
    assert.ok(r.stdout.length > 1_000_000, `a report far beyond a pipe's 64 KiB (${r.stdout.length} bytes)`);
  });

  test('run --json | jq: Debian\'s jq reads the whole report', { timeout: TIMEOUT_MS }, async (t: TestContext) => {
    const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
    if (jq.error) {
      if (process.env['CI'] === 'true') assert.fail(`jq is required under CI=true: ${jq.error.message}`);
      t.skip('jq is not installed (apt-get install jq); required when CI=true');
      return;
    }
    const r = await intoShellReader(['run', '--json', '-c', config('jq')], `jq -c '[.processed, (.files | length)]'`);
    assert.equal(r.exit.code, 0, `jq: ${r.exit.stderr}`);
    assert.equal(r.sluiceCode, 0, r.sluiceErr);
    assertClean(r.sluiceErr);
    assert.equal(r.out, `[${FILES},${FILES}]\n`);
  });

  test('run --dry-run, with and without --json: the whole plan arrives through a slow reader', { timeout: TIMEOUT_MS }, async () => {
    const cfg = config('dry');
    const json = await throughSlowReader(['run', '--dry-run', '--json', '-c', cfg]);
    assert.equal(json.code, 0, json.stderr);
    const plan = parse<{ dryRun: boolean; files: { action: string }[] }>(json);
    assert.equal(plan.files.filter((f) => f.action === 'process').length, FILES);

    const text = await throughSlowReader(['run', '--dry-run', '-c', cfg]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, FILES + 1, 'a line per file and the summary');
    assert.equal(lines.at(-1), `dry run: ${FILES} file(s) would be processed; nothing was changed`);
    assert.equal(lines.filter((l) => l.startsWith('process  p: ')).length, FILES);
    assert.equal(fs.existsSync(box.path('out-dry')), false, 'nothing was processed');
  });

  test('run --report FILE: the report of 20,000 files is whole in FILE; exit 0', { timeout: TIMEOUT_MS }, async () => {
    const r = await throughSlowReader(['run', '--report', 'report.json', '-c', config('report')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const report = JSON.parse(box.read('report.json')!.toString()) as RunReport;
    assert.equal(report.processed, FILES);
    assert.equal(report.files.length, FILES);
  });

  // The choice (src/cli/stdout.ts): the rest of the output is not wanted, the run is not cut short, the exit code is the
  // run's own, and nothing is printed.
  test('run --json | head -c 100: exit 0, no message, every file still processed', { timeout: TIMEOUT_MS }, async () => {
    const cfg = config('head');
    const r = await intoShellReader(['run', '--json', '--report', 'head-report.json', '-c', cfg], 'head -c 100');
    assert.equal(r.exit.code, 0, r.exit.stderr);
    assert.equal(r.sluiceCode, 0, r.sluiceErr);
    assertClean(r.sluiceErr);
    assert.equal(r.sluiceErr, '', 'nothing on stderr');
    assert.ok(r.out.startsWith(`{"processed":${FILES},`), r.out);
    assert.equal(r.out.length, 100);
    assert.equal(box.files('out-head').length, FILES, 'every output was committed');
    assert.equal((JSON.parse(box.read('head-report.json')!.toString()) as RunReport).files.length, FILES, '--report is whole');

    const again = await runJson(box, ['-c', cfg, ...QUIET]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.report.unchanged, FILES, 'every file was recorded as done');
    assert.equal(again.report.processed, 0);
  });

  test('check --json, status --json, explain --json arrive whole through a slow reader', { timeout: TIMEOUT_MS }, async () => {
    const cfg = config('small');
    const check = await throughSlowReader(['check', '--json', '-c', cfg]);
    assert.equal(check.code, 0, check.stderr);
    assert.equal((JSON.parse(check.stdout) as { valid: boolean }).valid, true);

    const status = await throughSlowReader(['status', '--json', '-c', cfg]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(parse<{ running: boolean }>(status).running, false);

    const explain = await throughSlowReader(['explain', '--json', '-c', cfg, 'inbox/d0/f0.txt']);
    assert.equal(explain.code, 0, explain.stderr);
    assert.equal(parse<{ inputs: { state: string }[] }>(explain).inputs[0]?.state, 'new');
  });
});
