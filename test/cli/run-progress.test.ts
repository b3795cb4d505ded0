import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, shStage, sluiceBin, writeConfig } from '../helpers/cli.js';

/** Runs `command` (a shell command line) in a pseudo-terminal with util-linux `script`; resolves with all it printed. */
function inPty(command: string, cwd: string, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`script did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// `sluice run` shows progress on stderr: a live bar on a terminal, a log line every few seconds off one.
describe('sluice run: progress', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
    // A slow pipeline: one file at a time, each taking a moment.
    writeConfig(box, { pipelines: [pipeline({ stages: [shStage('sleep 0.2; cp "$1" "$2"', { concurrency: 1 })] })] });
    for (let i = 1; i <= 6; i++) box.write(`inbox/f${i}.txt`, `${i}`);
  });
  afterEach(async () => {
    delete process.env['SLUICE_PROGRESS_INTERVAL_MS'];
    await box.dispose();
  });

  test('off a terminal: progress log lines with done, total, failed, rate and ETA', async () => {
    process.env['SLUICE_PROGRESS_INTERVAL_MS'] = '100';
    const proc = box.start(['run', '--log-format', 'json']);
    const exit = await proc.waitForExit(60_000);
    assert.equal(exit.code, 0, proc.stderr);
    const lines = proc.logs.filter((l) => l.message.startsWith('progress: '));
    assert.ok(lines.length >= 2, `progress lines:\n${proc.stderr}`);
    for (const l of lines) {
      assert.equal(l.level, 'info');
      assert.match(l.message, /^progress: \d+\/\d+\+? files done, \d+ failed, [\d.]+ files\/s, ETA (\?|\d+s)$/);
      assert.equal(typeof l['done'], 'number');
      assert.equal(typeof l['ratePerSec'], 'number');
      assert.ok((l['done'] as number) <= (l['total'] as number), l.message);
      assert.equal(l['failed'], 0);
    }
    const last = lines.at(-1)!;
    assert.equal(last['total'], 6, 'the scan found every file before the last line');
    const dones = lines.map((l) => l['done'] as number);
    assert.deepEqual(dones, [...dones].sort((a, b) => a - b), 'done never goes back');
    assert.equal(proc.stdout, '');
  });

  test('off a terminal, the default interval is a few seconds: a short run logs no progress line', async () => {
    const r = await box.run(['run']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /progress:/);
  });

  test('on a terminal: a progress bar on stderr with files done / total, rate, ETA and failures', async (t) => {
    if (spawnSync('script', ['--version']).status !== 0) {
      t.skip('util-linux script is not installed');
      return;
    }
    box.write('inbox/bad.txt', 'x');
    writeConfig(box, {
      pipelines: [pipeline({ stages: [shStage('sleep 0.2; case "$1" in *bad.txt) exit 3;; esac; cp "$1" "$2"', { concurrency: 1 })] })],
    });
    const { code, output } = await inPty(`${quote(process.execPath)} ${quote(sluiceBin)} run`, box.dir);
    assert.equal(code, 1, output);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI sequences this strips
    const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(plain, /sluice .* 7\/7 files \| [\d.]+ files\/s \| ETA \d+s \| 1 failed/, plain);
    assert.match(plain, /sluice .* \d\/\d\+? files \| /, 'the bar shows while the run is going');
    assert.match(plain, /run done: 6 processed, 0 unchanged, 1 failed/);
  });
});
