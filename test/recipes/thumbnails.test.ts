import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { convert, identify, imageInfo, requirePrograms, run } from '../helpers/programs.js';

// README recipe 1, thumbnails with ImageMagick: the last stage's temp file ends in the rendered output's extension
// (.png), so `convert` writes a PNG whatever the input was.
describe('recipe: thumbnails with ImageMagick', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // The README's config, with the program's absolute path and test-friendly settling and retries.
  const config = `
pipelines:
  - name: thumbnails
    input:
      dir: ./inbox
      include: ["**/*.jpg", "**/*.gif"]
      settleMs: 0
    output:
      dir: ./outbox
      path: "{relDir}/{name}.png"
    retry: { attempts: 1 }
    stages:
      - use: exec
        with:
          command: ["${convert.program}", "{in}", "-thumbnail", "256x256>", "{out}"]
`;

  /** Input (relative to inbox), how convert makes it, and the thumbnail's expected size. */
  const inputs = [
    { rel: 'shots/landscape.jpg', make: ['-size', '800x600', 'gradient:red-blue'], size: [256, 192] },
    { rel: 'shots/portrait.jpg', make: ['-size', '600x900', 'gradient:blue-yellow'], size: [171, 256] },
    { rel: 'logo.gif', make: ['logo:'], size: [256, 192] },
    { rel: 'small/rose.jpg', make: ['rose:'], size: [70, 46] },
  ];

  test('each image becomes a PNG of at most 256×256 at {relDir}/{name}.png; a smaller one is not enlarged', async (t) => {
    if (!requirePrograms(t, [convert, identify])) return;
    writeConfig(box, config);
    for (const input of inputs) {
      const file = box.path('inbox', input.rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      run(convert, [...input.make, file]);
    }
    box.write('inbox/notes.txt', 'not an image');
    const r = await runJson(box);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.processed, inputs.length);
    const expected = inputs.map((i) => i.rel.replace(/\.[a-z]+$/, '.png'));
    assert.deepEqual(box.files('outbox'), [...expected].sort(), 'one PNG per image, no temp file left');
    for (const [i, input] of inputs.entries()) {
      const out = box.path('outbox', expected[i]!);
      assert.deepEqual(fileIn(r.report, input.rel).outputs, [out]);
      const info = imageInfo(out);
      assert.equal(info.format, 'PNG', out);
      assert.ok(info.width <= 256 && info.height <= 256, `${out}: ${info.width}×${info.height}`);
      assert.deepEqual([info.width, info.height], input.size, out);
    }
    assert.equal(box.files('inbox').length, inputs.length + 1, 'inputs are kept');
  });
});
