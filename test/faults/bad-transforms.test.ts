import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson, Sandbox, writeConfig } from '../helpers/cli.js';

// A module that misbehaves — throws something that is not an Error, returns garbage, writes nothing, writes a folder,
// never returns — fails that file with a clear code in the report, the log and the sidecar; the process goes on.
describe('misbehaving transform modules', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // What the module does depends on the input's name.
  const module = `import fs from 'node:fs';
const circular = {}; circular.self = circular;
export default async function bad(ctx) {
  switch (ctx.source.relPath) {
    case 'throw-string.txt': throw 'a plain string';
    case 'throw-undefined.txt': throw undefined;
    case 'throw-null.txt': throw null;
    case 'throw-number.txt': throw 42;
    case 'throw-object.txt': throw { reason: 'an object' };
    case 'throw-circular.txt': throw circular;
    case 'returns-garbage.txt': fs.copyFileSync(ctx.input, ctx.output); return { not: 'expected' };
    case 'writes-nothing.txt': return 'garbage';
    case 'writes-folder.txt': fs.mkdirSync(ctx.output); fs.writeFileSync(ctx.output + '/x', 'x'); return;
    case 'hangs.txt': return new Promise(() => {});
    case 'permanent.txt': throw Object.assign(new Error('not a valid invoice'), { permanent: true, code: 'NOT_AN_INVOICE' });
  }
}
`;
  const expected: Record<string, { code: string; attempts: number; message?: RegExp }> = {
    'throw-string.txt': { code: 'TRANSFORM_FAILED', attempts: 2, message: /a plain string/ },
    'throw-undefined.txt': { code: 'TRANSFORM_FAILED', attempts: 2, message: /non-Error value thrown: undefined/ },
    'throw-null.txt': { code: 'TRANSFORM_FAILED', attempts: 2, message: /non-Error value thrown: null/ },
    'throw-number.txt': { code: 'TRANSFORM_FAILED', attempts: 2, message: /42/ },
    'throw-object.txt': { code: 'TRANSFORM_FAILED', attempts: 2, message: /"reason":"an object"/ },
    'throw-circular.txt': { code: 'TRANSFORM_FAILED', attempts: 2 },
    'writes-nothing.txt': { code: 'NO_OUTPUT', attempts: 1, message: /without writing its output/ },
    'writes-folder.txt': { code: 'NO_OUTPUT', attempts: 1 },
    'hangs.txt': { code: 'STAGE_TIMEOUT', attempts: 2 },
    'permanent.txt': { code: 'NOT_AN_INVOICE', attempts: 1, message: /not a valid invoice/ },
  };

  test('each fails its own file with a clear code; retried unless marked permanent; the run completes', async () => {
    box.write('bad.mjs', module);
    for (const name of [...Object.keys(expected), 'returns-garbage.txt']) box.write(`inbox/${name}`, `input ${name}`);
    writeConfig(box, {
      pipelines: [{
        name: 'p', input: { dir: './inbox', settleMs: 0 }, onFailure: { moveTo: './failed' },
        retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 20 }, stages: [{ use: './bad.mjs', timeoutMs: 300 }],
      }],
    });
    const { code, report, stderr } = await runJson(box, ['--log-format', 'json']);
    assert.equal(code, 1, stderr);
    assert.equal(fileIn(report, 'returns-garbage.txt').outcome, 'processed', 'a returned value is ignored');
    assert.equal(box.read('outbox/returns-garbage.txt')!.toString(), 'input returns-garbage.txt');
    for (const [name, want] of Object.entries(expected)) {
      const entry = fileIn(report, name);
      assert.equal(entry.outcome, 'failed', name);
      assert.equal(entry.error!.code, want.code, name);
      if (want.message) assert.match(entry.error!.message, want.message, name);
      const sidecar = JSON.parse(box.read(`failed/${name}.error.json`)!.toString()) as { attempts: number; stage: string; error: { code: string } };
      assert.deepEqual([sidecar.error.code, sidecar.attempts, sidecar.stage], [want.code, want.attempts, './bad.mjs'], name);
      assert.equal(box.read(`failed/${name}`)!.toString(), `input ${name}`, `${name} is quarantined intact`);
    }
    const classes = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['level'] === 'error').map((l) => [l['path'], l['errorClass']]);
    assert.deepEqual(classes.filter(([p]) => p === 'permanent.txt'), [['permanent.txt', 'permanent']]);
    assert.deepEqual(classes.filter(([p]) => p === 'hangs.txt'), [['hangs.txt', 'transient']]);
    assert.deepEqual(box.files('outbox'), ['returns-garbage.txt'], 'no temp file or folder is left');
  });
});
