import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

// Logs go to stderr only, as pretty lines or one JSON object per line; debug shows each file's lifecycle in order.
describe('sluice watch: logs', () => {
  let box: Sandbox;
  let config: string;
  beforeEach(() => {
    box = Sandbox.create();
    config = box.config({ pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })] });
  });
  afterEach(async () => {
    await box.dispose();
  });

  /**
   * Runs one file through a fresh daemon started with `flags`, stops it, and returns the stopped process. The file is
   * dropped in once the watcher is up, or, when `quiet` (no info line to wait for), before the start.
   */
  async function oneFile(flags: readonly string[], quiet = false): Promise<SluiceProcess> {
    if (quiet) box.write('inbox/sub/file one.txt', 'content');
    const sluice = box.start(['watch', '-c', config, ...flags]);
    if (!quiet) {
      await sluice.ready();
      box.write('inbox/sub/file one.txt', 'content');
    }
    await waitFor('the file archived', () => box.read('archive/sub/file one.txt'));
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null });
    return sluice;
  }

  test('pretty logs go to stderr; stdout stays empty', async () => {
    const sluice = await oneFile([]);
    assert.equal(sluice.stdout, '');
    assert.match(sluice.stderr, /^\S+ info +watching /m);
    assert.match(sluice.stderr, /^\S+ info +processed → .*file one\.txt/m);
    assert.doesNotMatch(sluice.stderr, /\bdebug\b/, 'info is the default level');
    assert.equal(sluice.logs.length, 0, 'pretty lines are not JSON');
  });

  test('--log-format json prints one JSON object per line with level, message and time', async () => {
    const sluice = await oneFile(['--log-format', 'json']);
    assert.equal(sluice.stdout, '');
    const lines = sluice.stderr.split('\n');
    assert.equal(lines.pop(), '', 'stderr ends with a newline');
    assert.ok(lines.length >= 3);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof entry, 'object');
      assert.ok(['error', 'warn', 'info', 'debug'].includes(entry['level'] as string), line);
      assert.equal(typeof entry['message'], 'string', line);
      assert.ok(!Number.isNaN(Date.parse(entry['time'] as string)), line);
      assert.notEqual(entry['level'], 'debug');
    }
    const done = sluice.logs.find((l) => l.message.startsWith('processed'));
    assert.equal(done?.path, 'sub/file one.txt');
    assert.equal(done?.pipeline, 'p');
  });

  // copy runs on the batched small-file path; a two-stage pipeline (replace, then copy) on the general path: the same
  // lines either way.
  const paths: [string, object[], string[]][] = [
    ['the batched path', [{ use: 'copy' }], ['copy']],
    ['the general path', [{ use: 'replace', with: { pattern: 'never-matches', replacement: '' } }, { use: 'copy' }], ['replace', 'copy']],
  ];
  for (const [which, stages, names] of paths) {
    test(`--log-level debug shows the lifecycle in order on ${which}: seen, queued, started, stage, committed, moved, processed`, async () => {
      // A short settle, so the file is complete before it is looked at and the lifecycle runs once.
      config = box.config({ pipelines: [pipeline({ input: { dir: './inbox', settleMs: 200 }, onSuccess: { moveTo: './archive' }, stages })] });
      const sluice = await oneFile(['--log-level', 'debug', '--log-format', 'json']);
      assert.equal(sluice.stdout, '');
      const steps = sluice.logsFor('sub/file one.txt').map((l) => `${l.level} ${l.message}`);
      const expected = [
        /^debug seen via (event|scan)$/, /^debug settling, eligible in \d+ ms$/, /^debug queued$/, /^debug started$/,
        ...names.map((n) => new RegExp(`^debug stage ${n} done$`)), /^debug committed .*outbox\/sub\/file one\.txt$/,
        /^debug input moved to .*archive\/sub\/file one\.txt$/, /^info processed → .*outbox\/sub\/file one\.txt$/,
      ];
      assert.ok(steps.length >= expected.length, steps.join('\n'));
      for (const [i, pattern] of expected.entries()) assert.match(steps[i]!, pattern, steps.join('\n'));
      // A late watch event may make the intake look once more and find the input gone: quietly, at debug level.
      for (const extra of steps.slice(expected.length)) assert.match(extra, /^debug (seen via redo|skipped: )/, steps.join('\n'));
      assert.equal(sluice.logsFor('sub/file one.txt', 'started')[0]!['attempt'], 1);
    });
  }

  test('--log-level error hides info lines; the config log level is the default for the flag', async () => {
    const quiet = await oneFile(['--log-level', 'error'], true);
    assert.equal(quiet.stderr, '');
    box.rm('archive');
    config = box.config({ log: { format: 'json', level: 'warn' }, pipelines: [pipeline({ onSuccess: { moveTo: './archive' } })] });
    const warnOnly = await oneFile(['--log-level', 'debug']);
    assert.ok(warnOnly.logs.some((l) => l.level === 'debug'), 'the flag wins over the file');
    assert.ok(warnOnly.logs.length > 0 && warnOnly.stderr.split('\n').slice(0, -1).every((l) => l.startsWith('{')),
      'the format comes from the file');
  });

  test('a failed file is logged as an error with its code; a retry as a warning', async () => {
    config = box.config({
      pipelines: [pipeline({ retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 }, stages: [{ use: 'exec', with: { command: ['false', '{out}'] } }] })],
    });
    const sluice = box.start(['watch', '-c', config, '--log-format', 'json']);
    await sluice.ready();
    box.write('inbox/bad.txt', 'x');
    const failed = await sluice.waitForLog('the failure', (l) => l.level === 'error' && l.path === 'bad.txt');
    assert.equal(failed['code'], 'EXEC_FAILED');
    assert.equal(failed['attempt'], 2);
    const retry = sluice.logsFor('bad.txt').find((l) => l.level === 'warn');
    assert.equal(retry?.['code'], 'EXEC_FAILED');
    assert.equal(sluice.stdout, '');
  });
});
