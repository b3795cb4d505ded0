import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { exec } from '../../src/transforms/builtin/exec.js';
import { fixture, issuePaths, rejectsWith } from './fixture.js';

const node = process.execPath;

/** Polls until `path` holds a pid (written by the child itself), failing after `limitMs`. */
async function pidFrom(path: string, limitMs = 10_000): Promise<number> {
  for (let waited = 0; waited < limitMs; waited += 20) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.endsWith('\n')) return Number(text.trim());
    await delay(20);
  }
  throw new Error(`no pid in ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

describe('exec', () => {
  test('replaces {in} and {out} anywhere in each argument', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'hello');
    const script =
      'const fs = require("fs"); fs.writeFileSync(process.argv[2], fs.readFileSync(process.argv[1].slice(5)) + "!")';
    await exec.run(await f.context(exec, { command: [node, '-e', script, '--', '--in={in}', '{out}'] }, 'in'));
    assert.equal((await f.read('out')).toString(), 'hello!');
  });

  test('a path containing a placeholder is not substituted again', async (t) => {
    const f = await fixture(t);
    await f.write('a{out}b', 'x');
    const script = 'require("fs").writeFileSync(process.argv[2], process.argv[1])';
    await exec.run(await f.context(exec, { command: [node, '-e', script, '{in}', '{out}'] }, 'a{out}b'));
    assert.equal((await f.read('out')).toString(), f.path('a{out}b'));
  });

  test('stdout: true pipes the program output to the output file', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'shout');
    const script = 'process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8").toUpperCase())';
    await exec.run(await f.context(exec, { command: [node, '-e', script, '{in}'], stdout: true }, 'in'));
    assert.equal((await f.read('out')).toString(), 'SHOUT');
  });

  test('a non-zero exit is transient EXEC_FAILED carrying a bounded stderr tail', async (t) => {
    const f = await fixture(t);
    await f.write('in', '');
    const script = 'process.stderr.write("x".repeat(100000) + "the end"); process.exit(3)';
    const ctx = await f.context(exec, { command: [node, '-e', script], stdout: true }, 'in');
    const err = await rejectsWith(exec.run(ctx), 'EXEC_FAILED', 'transient');
    const context = err.context as { exitCode: number; stderr: string };
    assert.equal(context.exitCode, 3);
    assert.ok(context.stderr.endsWith('the end'));
    assert.ok(context.stderr.length <= 4097);
  });

  test('death by a signal is EXEC_FAILED naming the signal', async (t) => {
    const f = await fixture(t);
    await f.write('in', '');
    const ctx = await f.context(exec, { command: ['sh', '-c', 'kill -KILL $$'], stdout: true }, 'in');
    const err = await rejectsWith(exec.run(ctx), 'EXEC_FAILED', 'transient');
    assert.equal((err.context as { signal: string }).signal, 'SIGKILL');
  });

  test('a program that does not exist is permanent EXEC_NOT_FOUND', async (t) => {
    const f = await fixture(t);
    await f.write('in', '');
    for (const stdout of [true, false]) {
      const ctx = await f.context(exec, { command: ['sluice-no-such-program-xyz', '{out}'], stdout }, 'in');
      await rejectsWith(exec.run(ctx), 'EXEC_NOT_FOUND', 'permanent');
    }
  });

  for (const [label, script] of [
    ['SIGTERM', 'echo $$ > "$0.pid"; exec sleep 30'],
    [
      'SIGKILL after the grace period when SIGTERM is ignored',
      'trap "" TERM; echo $$ > "$0.pid"; while :; do sleep 1; done',
    ],
  ] as const) {
    test(`abort kills the child (${label}) and rejects with the reason`, async (t) => {
      const f = await fixture(t);
      await f.write('in', '');
      const controller = new AbortController();
      const options = { command: ['sh', '-c', script, '{out}'] };
      const ctx = await f.context(exec, options, 'in', { signal: controller.signal });
      const running = exec.run(ctx);
      const pid = await pidFrom(`${ctx.output}.pid`);
      assert.ok(alive(pid));
      const reason = new AbortedError('test shutdown');
      controller.abort(reason);
      await assert.rejects(running, (err) => err === reason);
      assert.equal(alive(pid), false);
    });
  }

  test('an already-aborted signal spawns nothing and rejects with ABORTED', async (t) => {
    const f = await fixture(t);
    await f.write('in', '');
    const controller = new AbortController();
    controller.abort();
    const options = { command: ['sh', '-c', 'touch "$0.ran"', '{out}'] };
    const ctx = await f.context(exec, options, 'in', { signal: controller.signal });
    await rejectsWith(exec.run(ctx), 'ABORTED');
    await assert.rejects(readFile(`${ctx.output}.ran`), { code: 'ENOENT' });
  });

  test('defaults and refusals', () => {
    assert.deepEqual(exec.parseOptions({ command: ['cp', '{in}', '{out}'] }, { baseDir: '/srv/conf' }), {
      ok: true,
      value: { command: ['cp', '{in}', '{out}'], stdout: false, stdin: false, env: {}, permanentExitCodes: [], cwd: '/srv/conf' },
    });
    assert.equal((exec.parseOptions({ command: ['x'], cwd: 'work' }, { baseDir: '/srv/conf' }) as { value: { cwd: string } }).value.cwd, '/srv/conf/work');
    assert.deepEqual(issuePaths(exec, undefined), [['command']]);
    assert.deepEqual(issuePaths(exec, { command: [], stdout: true }), [['command']]);
    assert.deepEqual(issuePaths(exec, { command: 'cp {in} {out}' }), [['command']]);
    assert.deepEqual(issuePaths(exec, { command: ['', '{out}'] }), [['command', 0]]);
    assert.deepEqual(issuePaths(exec, { command: ['cp', 1] }), [['command', 1]]);
    assert.equal(exec.parseOptions({ command: ['cat', '{in}'] }).ok, true, 'a program may write $SLUICE_OUTPUT instead of {out}');
    assert.deepEqual(issuePaths(exec, { command: ['cat'], permanentExitCodes: [256] }), [['permanentExitCodes', 0]]);
    assert.deepEqual(issuePaths(exec, { command: ['cat'], env: { 'BAD-NAME': 'x' } }), [['env', 'BAD-NAME']]);
    assert.deepEqual(issuePaths(exec, { command: ['cat'], stdout: 'yes' }), [['stdout']]);
    assert.deepEqual(issuePaths(exec, { command: ['cat'], stdout: true, shell: true }), [['shell']]);
  });
});
