import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson } from '../helpers/cli.js';
import { pipeline, Sandbox, waitFor, type LogLine } from '../helpers/process.js';
import { cannotRunAsNobody, handOver, nobody } from './system.js';

const retries = (logs: readonly LogLine[], path: string) =>
  logs.filter((l) => l.path === path && l.level === 'warn' && /^attempt \d+ failed, retrying/.test(l.message));

// EACCES on the output folder (sluice runs as an unprivileged user: root ignores mode bits): transient, retried, and
// the file goes through once the folder is fixed; after retry.attempts it fails with EACCES in report and sidecar.
describe('permission denied (EACCES) on the output folder', { skip: cannotRunAsNobody() ?? false }, () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  /** inbox, archive, failed and the state folder belong to nobody; outbox belongs to root (0755): not writable. */
  function setUp(p: Record<string, unknown>): string {
    const config = box.config({ stateDir: './state', pipelines: [pipeline({ onSuccess: { moveTo: './archive' }, ...p })] });
    box.write('inbox/a.txt', 'content of a');
    handOver(box.dir, box.path('inbox'), box.path('archive'), box.path('failed'), box.path('state'));
    fs.mkdirSync(box.path('outbox'), { mode: 0o755 });
    return config;
  }

  test('watch: retried with code EACCES while the folder is not writable, processed once it is', async () => {
    const config = setUp({ retry: { attempts: 1000, backoffMs: 20, maxBackoffMs: 200 } });
    const sluice = box.start(['watch', '-c', config, '--log-format', 'json'], nobody);
    await waitFor('two EACCES retries', () => retries(sluice.logs, 'a.txt').length >= 2, { timeoutMs: 30_000 });
    assert.ok(retries(sluice.logs, 'a.txt').every((l) => l['code'] === 'EACCES' && l['errorClass'] === 'transient'));
    assert.deepEqual(box.files('outbox'), []);
    assert.equal(box.read('inbox/a.txt')!.toString(), 'content of a', 'the input is untouched');

    fs.chownSync(box.path('outbox'), nobody.uid, nobody.gid);
    await sluice.processed('a.txt', { timeoutMs: 30_000 });
    assert.equal(box.read('outbox/a.txt')!.toString(), 'content of a');
    assert.equal(box.read('archive/a.txt')!.toString(), 'content of a');
    assert.equal(fs.statSync(box.path('outbox/a.txt')).uid, nobody.uid, 'sluice really ran unprivileged');
    assert.deepEqual(box.files('outbox'), ['a.txt'], 'no temp file left');
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0);
  });

  test('run: after retry.attempts the file fails with EACCES in the report, the log and the sidecar', async () => {
    const config = setUp({ onFailure: { moveTo: './failed' }, retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 } });
    const r = await box.run(['run', '--json', '-c', config, '--log-format', 'json'], 30_000, nobody);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Parameters<typeof fileIn>[0];
    assert.equal(fileIn(report, 'a.txt').error?.code, 'EACCES');
    assert.match(r.stderr, /"code":"EACCES","errorClass":"transient"/);
    const sidecar = JSON.parse(box.read('failed/a.txt.error.json')!.toString()) as { attempts: number; error: { code: string } };
    assert.deepEqual([sidecar.error.code, sidecar.attempts], ['EACCES', 2]);
    assert.equal(box.read('failed/a.txt')!.toString(), 'content of a');
  });
});

// Errors a user's module throws with an errno code of a busy or exhausted resource are transient: retried with their
// code logged, and the file goes through when the resource frees up.
describe('busy resources (EBUSY, EAGAIN, EMFILE, ETIMEDOUT) thrown by a module', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // Fails `failures` times per input with an error whose code is the input's name (EBUSY.txt → EBUSY), then copies.
  const flaky = `import fs from 'node:fs';
export default async function flaky(ctx) {
  const counter = ctx.options.counters + '/' + ctx.source.relPath;
  const seen = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  if (seen < ctx.options.failures) {
    fs.writeFileSync(counter, String(seen + 1));
    const code = ctx.source.relPath.replace(/\\.txt$/, '');
    throw Object.assign(new Error(code + ': resource busy or exhausted, try again'), { code });
  }
  fs.copyFileSync(ctx.input, ctx.output);
}
`;
  const codes = ['EBUSY', 'EAGAIN', 'EMFILE', 'ETIMEDOUT'];

  function setUp(failures: number, attempts: number): void {
    box.write('flaky.mjs', flaky);
    fs.mkdirSync(box.path('counters'));
    for (const code of codes) box.write(`inbox/${code}.txt`, `payload ${code}`);
    box.write('sluice.yaml', JSON.stringify({
      pipelines: [pipeline({
        onFailure: { moveTo: './failed' }, retry: { attempts, backoffMs: 10, maxBackoffMs: 40 },
        stages: [{ use: './flaky.mjs', with: { counters: box.path('counters'), failures } }],
      })],
    }));
  }

  test('each is retried with its code and the file is processed on a later attempt', async () => {
    setUp(2, 4);
    const { code, report, stderr } = await runJson(box, ['--log-format', 'json']);
    assert.equal(code, 0, stderr);
    assert.equal(report.processed, codes.length);
    const logs = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
    for (const c of codes) {
      const lines = retries(logs, `${c}.txt`);
      assert.deepEqual(lines.map((l) => [l['code'], l['attempt'], l['errorClass']]), [[c, 1, 'transient'], [c, 2, 'transient']]);
      assert.equal(box.read(`outbox/${c}.txt`)!.toString(), `payload ${c}`);
    }
  });

  test('when they never clear, each file fails with its own code after retry.attempts, in report and sidecar', async () => {
    setUp(99, 3);
    const { code, report } = await runJson(box);
    assert.equal(code, 1);
    for (const c of codes) {
      assert.equal(fileIn(report, `${c}.txt`).error?.code, c);
      const sidecar = JSON.parse(box.read(`failed/${c}.txt.error.json`)!.toString()) as { attempts: number; error: { code: string } };
      assert.deepEqual([sidecar.error.code, sidecar.attempts], [c, 3]);
      assert.equal(box.read(`failed/${c}.txt`)!.toString(), `payload ${c}`);
    }
    assert.deepEqual(box.files('outbox'), []);
  });
});
