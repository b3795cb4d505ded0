import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, waitFor, type SluiceProcess } from '../helpers/process.js';

const longAscii = `${'a'.repeat(251)}.txt`;
const longUtf8 = `${'é'.repeat(125)}x.txt`;
const deep = `${Array.from({ length: 100 }, (_, i) => `d${String(i).padStart(2, '0')}`).join('/')}/deep.txt`;
const longBad = `${'b'.repeat(250)}.json`;

// Trees an attacker or a careless user can build in an inbox: symlink loops, links out of the input root, FIFOs and
// sockets (opening a FIFO would block forever), 255-byte names, 100 levels of folders, a file that turns into a folder.
describe('hostile trees', () => {
  let box: Sandbox;
  let server: net.Server | null = null;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
    await box.dispose();
  });

  function config(): string {
    return box.config({
      pipelines: [
        pipeline({
          name: 'txt', input: { dir: './inbox', settleMs: 0, include: ['**/*.txt'] }, output: { dir: './out-txt' },
          onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' },
        }),
        pipeline({
          name: 'json', input: { dir: './inbox', settleMs: 0, include: ['**/*.json'] }, output: { dir: './out-json' },
          onSuccess: { moveTo: './archive' }, onFailure: { moveTo: './failed' }, stages: [{ use: 'json' }],
        }),
      ],
    });
  }

  /** Builds the hostile tree in the inbox; returns the regular files that must be processed, with their content. */
  async function build(): Promise<Map<string, string>> {
    box.write('outside/secret.txt', 'outside the input root');
    fs.mkdirSync(box.path('inbox'), { recursive: true });
    fs.symlinkSync('.', box.path('inbox/loop'));
    fs.symlinkSync('l2.txt', box.path('inbox/l1.txt'));
    fs.symlinkSync('l1.txt', box.path('inbox/l2.txt'));
    fs.symlinkSync(box.path('outside'), box.path('inbox/out-dir'));
    fs.symlinkSync(box.path('outside/secret.txt'), box.path('inbox/out-file.txt'));
    execFileSync('mkfifo', [box.path('inbox/pipe.txt')]);
    server = net.createServer();
    await new Promise<void>((resolve) => server!.listen(box.path('inbox/sock.txt'), resolve));
    const files = new Map<string, string>([
      ['normal.txt', 'normal'], [longAscii, 'long ascii name'], [longUtf8, 'long utf-8 name'], [deep, 'deep down'],
    ]);
    for (const [name, content] of files) box.write(`inbox/${name}`, content);
    box.write(`inbox/${longBad}`, '{ not json');
    return files;
  }

  function assertOutcome(files: Map<string, string>): void {
    assert.equal(Buffer.byteLength(longAscii), 255);
    assert.equal(Buffer.byteLength(longUtf8), 255);
    for (const [name, content] of files) {
      assert.equal(box.read(`out-txt/${name}`)?.toString(), content, `output of ${name.slice(0, 40)}`);
      assert.equal(box.read(`archive/${name}`)?.toString(), content, `archive of ${name.slice(0, 40)}`);
    }
    assert.deepEqual(box.files('out-txt'), [...files.keys()].sort(), 'nothing else was processed');
    assert.deepEqual(box.files('out-json'), []);
    // The failed 255-byte name is quarantined; its sidecar name would be too long, so it goes without one.
    assert.deepEqual(box.files('failed'), [longBad]);
    // Nothing outside the root was read through a link, moved or changed; links, FIFO and socket are left as they are.
    assert.deepEqual(box.files('outside'), ['secret.txt']);
    assert.equal(box.read('outside/secret.txt')!.toString(), 'outside the input root');
    assert.equal(fs.readlinkSync(box.path('inbox/out-file.txt')), box.path('outside/secret.txt'));
    assert.equal(fs.readlinkSync(box.path('inbox/loop')), '.');
    assert.ok(fs.lstatSync(box.path('inbox/pipe.txt')).isFIFO());
    assert.ok(fs.lstatSync(box.path('inbox/sock.txt')).isSocket());
    const left = fs.readdirSync(box.path('inbox')).sort();
    assert.deepEqual(left, ['d00', 'l1.txt', 'l2.txt', 'loop', 'out-dir', 'out-file.txt', 'pipe.txt', 'sock.txt']);
  }

  test('run: only the regular files inside the root are processed; the run ends (no FIFO hang)', async () => {
    const files = await build();
    const r = await box.run(['run', '--json', '-c', config(), '--log-format', 'json'], 60_000);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { processed: number; failed: number };
    assert.deepEqual([report.processed, report.failed], [files.size, 1]);
    assertOutcome(files);
    assert.match(r.stderr, /"code":"SIDECAR_NOT_WRITTEN"/);
    const again = await box.run(['run', '--json', '-c', config()], 60_000);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).files, [], 'nothing is left to do');
  });

  test('watch: the same tree built while watching; the daemon stays up and stops cleanly', async () => {
    const sluice = box.start(['watch', '-c', config(), ...debugJson]);
    await sluice.ready();
    const files = await build();
    await waitFor('every file archived', () => [...files.keys()].every((n) => box.read(`archive/${n}`)), { timeoutMs: 30_000 });
    await waitFor('the bad file quarantined', () => box.read(`failed/${longBad}`));
    assertOutcome(files);
    for (const special of ['pipe.txt', 'sock.txt']) {
      assert.deepEqual(sluice.logsFor(special, /^processed|^failed/), [], `${special} is never processed`);
    }
    sluice.kill('SIGTERM');
    assert.equal((await sluice.waitForExit()).code, 0, sluice.stderr);
  });

  for (const command of ['watch', 'run'] as const) {
    test(`${command}: a file replaced by a folder of the same name while it settles is skipped; the folder's files are inputs`, async () => {
      const cfg = box.config({ rescanIntervalMs: 0, pipelines: [pipeline({ input: { dir: './inbox', settleMs: 1500 } })] });
      box.write('inbox/swap.txt', 'a file for now');
      const sluice: SluiceProcess = box.start([command, '-c', cfg, ...debugJson]);
      await sluice.waitForLog('swap.txt settling', (l) => l.path === 'swap.txt' && /^settling/.test(l.message));
      box.rm('inbox/swap.txt');
      box.write('inbox/swap.txt/inner.txt', 'inside the folder');
      if (command === 'watch') {
        // The watcher may never report a folder that took a file's place: the intake hands it over to be walked.
        await sluice.processed('swap.txt/inner.txt');
        sluice.kill('SIGTERM');
      }
      assert.equal((await sluice.waitForExit()).code, 0, sluice.stderr);
      const skipped = sluice.logsFor('swap.txt', /^skipped/);
      assert.equal(skipped.length, 1, sluice.stderr);
      assert.ok(['INPUT_NOT_A_FILE', 'INPUT_VANISHED'].includes(skipped[0]!['code'] as string), JSON.stringify(skipped));
      // A one-shot run has walked the tree already: the next run finds the folder's files.
      if (command === 'run') assert.equal((await box.run(['run', '-c', cfg])).code, 0);
      assert.deepEqual(box.files('outbox'), ['swap.txt/inner.txt']);
      assert.equal(box.read('outbox/swap.txt/inner.txt')!.toString(), 'inside the folder');
    });
  }

  test('a processed file replaced by a folder whose output would need that name as a folder fails that file only', async () => {
    const cfg = box.config({ rescanIntervalMs: 0, pipelines: [pipeline({ retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 } })] });
    box.write('inbox/swap.txt', 'a file first');
    assert.equal((await box.run(['run', '-c', cfg])).code, 0);
    box.rm('inbox/swap.txt');
    box.write('inbox/swap.txt/inner.txt', 'then a folder');
    box.write('inbox/other.txt', 'unaffected');
    const r = await box.run(['run', '--json', '-c', cfg]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { files: { path: string; outcome: string; error?: { code: string } }[] };
    const inner = report.files.find((f) => f.path === 'swap.txt/inner.txt')!;
    assert.equal(inner.outcome, 'failed');
    assert.ok(['EEXIST', 'ENOTDIR'].includes(inner.error!.code), JSON.stringify(inner));
    assert.equal(box.read('outbox/other.txt')!.toString(), 'unaffected');
    assert.equal(box.read('outbox/swap.txt')!.toString(), 'a file first', 'the old output is left alone');
  });
});
