import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  debugJson, pipeline, Sandbox, sluiceBin, shStage, waitFor, type SluiceProcess, type StartOptions,
} from '../helpers/process.js';

// However sluice is started, the process running the engine has the launch-time memory settings of
// bin/launch-settings.js (a semi-space size on node's command line, MALLOC_ARENA_MAX in its environment), and the
// process that was started stands for it: exit codes, deaths by signal and the signals sent to it pass through.

const repoRoot = path.dirname(path.dirname(sluiceBin));
const unitFile = fileURLToPath(new URL('../../../config/sluice.service', import.meta.url));
/** An environment without the settings (nor a marker), whatever the test runner's is. */
const bare: NodeJS.ProcessEnv = {
  MALLOC_ARENA_MAX: undefined, GLIBC_TUNABLES: undefined, NODE_OPTIONS: undefined, SLUICE_LAUNCHED: undefined,
};
/** Prefix for Sandbox.start: runs bin/sluice itself (its shebang), not `node bin/sluice`. */
const direct = ['/bin/sh', '-c', 'shift; exec "$@"', 'sh'];

const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
const environ = (pid: number) => new Map(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
  .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

function stat(pid: number): { state: string; ppid: number } {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: state!, ppid: Number(ppid) };
}

/** Gone, or a zombie waiting for its new parent to reap it: it runs no more and holds no lock. */
function running(pid: number): boolean {
  try {
    return stat(pid).state !== 'Z';
  } catch {
    return false;
  }
}

/** Asserts the engine process has the settings: the semi-space size on its command line, the arena cap in its env. */
function assertSettings(pid: number, arenas = '2'): void {
  assert.ok(cmdline(pid).includes('--max-semi-space-size=2'), `node flags of ${pid}: ${cmdline(pid).join(' ')}`);
  assert.equal(environ(pid).get('MALLOC_ARENA_MAX'), arenas);
}

describe('bin/sluice: launch-time memory settings however it is started', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  /** Starts `sluice watch` and resolves with the pid of the process holding the instance lock (the engine). */
  async function watch(options: StartOptions = {}, stages: object[] = [{ use: 'copy' }]) {
    const config = box.config({ pipelines: [pipeline({ stages })] });
    const sluice = box.start(['watch', '-c', config, ...debugJson], { ...options, env: { ...bare, ...options.env } });
    await sluice.ready();
    const engine = (JSON.parse(box.read('.sluice/instance.json')!.toString()) as { pid: number }).pid;
    return { sluice, engine };
  }

  async function stopsCleanly(sluice: SluiceProcess): Promise<void> {
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null }, sluice.stderr);
  }

  test('node bin/sluice watch relaunches once with them; exec stages do not get the marker', async () => {
    const { sluice, engine } = await watch({}, [shStage('env > "$2"')]);
    assert.notEqual(engine, sluice.pid);
    assert.equal(stat(engine).ppid, sluice.pid, 'the engine is the child of the process that was started');
    assertSettings(engine);
    assert.equal(environ(engine).get('SLUICE_LAUNCHED'), String(sluice.pid));
    box.write('inbox/env.txt', '');
    await sluice.processed('env.txt');
    const env = box.read('outbox/env.txt')!.toString().split('\n');
    assert.ok(!env.some((l) => l.startsWith('SLUICE_LAUNCHED=')), 'the marker is not passed on');
    assert.ok(env.includes('MALLOC_ARENA_MAX=2'), 'the arena cap is (harmless)');
    await stopsCleanly(sluice);
  });

  test('bin/sluice run directly (npm start, npm bin links) execs node with them in place: one process', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['start'], 'bin/sluice watch', 'npm start runs bin/sluice directly, not through node');
    const { sluice, engine } = await watch({ prefix: direct });
    assert.equal(engine, sluice.pid);
    assertSettings(engine);
    assert.equal(environ(engine).has('SLUICE_LAUNCHED'), false);
    await stopsCleanly(sluice);
  });

  test('a MALLOC_ARENA_MAX of the user is kept on either path', async () => {
    for (const prefix of [[], direct]) {
      const { sluice, engine } = await watch({ prefix, env: { MALLOC_ARENA_MAX: '4' } });
      assertSettings(engine, '4');
      await stopsCleanly(sluice);
    }
  });

  test('the systemd unit gives them itself: ExecStart is the engine, no second process', async () => {
    const unit = fs.readFileSync(unitFile, 'utf8');
    const env = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(\S*)$/gm)].map((m) => [m[1]!, m[2]!]));
    // ExecStart=<node> [flags…] <bin/sluice> watch …: run with this node and this checkout, the flags as written.
    const exec = /^ExecStart=\S+ (.*?)\s*\S+\/bin\/sluice watch/m.exec(unit);
    assert.ok(exec, 'ExecStart runs node on bin/sluice watch');
    const flags = exec[1]!.split(/\s+/).filter(Boolean);
    assert.ok(flags.every((f) => /^--[\w.=-]+$/.test(f)), `plain node flags: ${flags.join(' ')}`);
    const prefix = ['/bin/sh', '-c', `node=$1; shift; exec "$node" ${flags.join(' ')} "$@"`, 'sh'];
    const { sluice, engine } = await watch({ prefix, env });
    assert.equal(engine, sluice.pid);
    assertSettings(engine);
    await stopsCleanly(sluice);
  });

  test('npx sluice (the local package, offline) runs the engine with them', async (t) => {
    if (spawnSync('npx', ['--version']).status !== 0) return t.skip('npx is not installed');
    // Drops node and bin/sluice from the command; npx finds this package's own bin when run from its folder.
    const npx = ['/bin/sh', '-c', 'shift 2; cd "$0" && exec npx --no-install sluice "$@"', repoRoot];
    const { engine } = await watch({ prefix: npx });
    assertSettings(engine);
  });
});

describe('bin/sluice relaunched: the started process stands for the engine', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  function start(stages: object[] = [{ use: 'copy' }]): SluiceProcess {
    const config = box.config({ pipelines: [pipeline({ stages })] });
    return box.start(['watch', '-c', config, ...debugJson], { env: bare });
  }

  const engineOf = () => (JSON.parse(box.read('.sluice/instance.json')!.toString()) as { pid: number }).pid;

  /** `sluice watch` whose one stage waits for the file `gate`, with a job in flight; its engine's and stage's pids. */
  async function gatedWatch(): Promise<{ sluice: SluiceProcess; engine: number; stage: number }> {
    const sluice = start([shStage('echo $$ > stage.pid; while [ ! -e gate ]; do sleep 0.05; done; cp "$1" "$2"')]);
    await sluice.ready();
    box.write('inbox/a.txt', 'a');
    await sluice.waitForLog('a.txt started', (l) => l.path === 'a.txt' && l.message === 'started');
    const stage = await waitFor('the stage pid', () => Number(box.read('stage.pid')?.toString()));
    assert.notEqual(engineOf(), sluice.pid, 'relaunched');
    return { sluice, engine: engineOf(), stage };
  }

  test('exit codes pass through: 2 for a bad config, 1 for a run with failures, 0 for a good one', async () => {
    const bad = box.write('bad.json', '{"pipelines": [{"name": "p", "stages": [{"use": "nope"}]}]}');
    const refused = await box.run(['run', '-c', bad], 30_000, { env: bare });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /nope/);
    const failing = box.config({ pipelines: [pipeline({ stages: [shStage('exit 7')] })] });
    box.write('inbox/a.txt', 'a');
    assert.equal((await box.run(['run', '-c', failing], 30_000, { env: bare })).code, 1);
    const good = box.config({ pipelines: [pipeline()] }, 'good.json');
    assert.equal((await box.run(['run', '-c', good], 30_000, { env: bare })).code, 0);
  });

  test('SIGHUP reaches the engine: a reload', async () => {
    const sluice = start();
    await sluice.ready();
    sluice.kill('SIGHUP');
    await sluice.waitForLog('a reload', (l) => l.message.startsWith('config reloaded'));
    sluice.kill('SIGTERM');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null }, sluice.stderr);
  });

  test('SIGTERM to the process group reaches the engine once: a drain, not an abort', async () => {
    const { sluice } = await gatedWatch();
    process.kill(-sluice.pid, 'SIGTERM');
    await sluice.waitForLog('stopping', (l) => l.message.startsWith('stopping: 1 job(s) in flight'));
    // A second SIGTERM would abort the job at once: give one a moment to arrive before letting the job finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    box.write('gate', '');
    assert.deepEqual(await sluice.waitForExit(), { code: 0, signal: null }, sluice.stderr);
    assert.equal(sluice.logsFor('a.txt', /^processed/).length, 1, sluice.stderr);
    assert.equal(box.read('outbox/a.txt')?.toString(), 'a');
  });

  test('the engine killed by a signal: the started process dies of the same signal', async () => {
    const sluice = start();
    await sluice.ready();
    process.kill(engineOf(), 'SIGKILL');
    assert.deepEqual(await sluice.waitForExit(), { code: null, signal: 'SIGKILL' });
  });

  for (const [what, kill] of [
    ['its pid', (pid: number) => process.kill(pid, 'SIGKILL')],
    ['its process group', (pid: number) => process.kill(-pid, 'SIGKILL')],
  ] as const) {
    test(`SIGKILL to ${what}: the engine and its exec stage stop within 2 s, no orphan`, async () => {
      const { sluice, engine, stage } = await gatedWatch();
      kill(sluice.pid);
      await waitFor('the engine and its stage to stop', () => !running(engine) && !running(stage), { timeoutMs: 2000 });
      await sluice.waitForExit();
    });
  }
});
