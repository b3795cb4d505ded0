import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { audioInfo, ffmpeg, ffprobe, requirePrograms, sineTone } from '../helpers/programs.js';

// README recipe 2, audio with ffmpeg: ffmpeg picks the container from {out}'s extension, which is the rendered output
// path's (.opus, .mp3); without it ffmpeg cannot choose a format and fails.
describe('recipe: WAV to Opus and MP3 with ffmpeg', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const encode = (codec: string[]) =>
    JSON.stringify([ffmpeg.program, '-nostdin', '-loglevel', 'error', '-y', '-i', '{in}', ...codec, '{out}']);

  // The README's Opus pipeline and its MP3 variant side by side on one inbox (both keep their inputs, so they may share
  // it), with the program's absolute path and test-friendly settling and retries.
  const config = `
pipelines:
  - name: opus
    input: { dir: ./inbox, include: ["**/*.wav"], settleMs: 0 }
    output: { dir: ./opus, path: "{relDir}/{name}.opus" }
    retry: { attempts: 1 }
    stages:
      - use: exec
        with: { command: ${encode(['-c:a', 'libopus', '-b:a', '64k'])} }
  - name: mp3
    input: { dir: ./inbox, include: ["**/*.wav"], settleMs: 0 }
    output: { dir: ./mp3, path: "{relDir}/{name}.mp3" }
    retry: { attempts: 1 }
    stages:
      - use: exec
        with: { command: ${encode(['-c:a', 'libmp3lame', '-q:a', '4'])} }
`;

  /** Input (relative to inbox), its tone, its length, and output options for ffmpeg's sine source. */
  const inputs = [
    { rel: 'a440.wav', hz: 440, seconds: 1.5, args: [] },
    { rel: 'voice/b880.wav', hz: 880, seconds: 2.5, args: ['-ac', '2', '-ar', '48000'] },
  ];

  test('each WAV becomes {name}.opus and {name}.mp3 with the right codec and the same duration (±0.1 s)', async (t) => {
    if (!requirePrograms(t, [ffmpeg, ffprobe])) return;
    writeConfig(box, config);
    fs.mkdirSync(box.path('inbox', 'voice'), { recursive: true });
    for (const input of inputs) sineTone(box.path('inbox', input.rel), input.hz, input.seconds, input.args);
    const r = await runJson(box);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.processed, inputs.length * 2);
    for (const [pipeline, ext, codec] of [['opus', '.opus', 'opus'], ['mp3', '.mp3', 'mp3']] as const) {
      const expected = inputs.map((i) => i.rel.replace(/\.wav$/, ext));
      assert.deepEqual(box.files(pipeline), [...expected].sort(), `${pipeline}: one file per WAV, no temp file left`);
      for (const [i, input] of inputs.entries()) {
        const out = box.path(pipeline, expected[i]!);
        assert.deepEqual(fileIn(r.report, input.rel, pipeline).outputs, [out]);
        const info = audioInfo(out);
        assert.equal(info.codec, codec, out);
        assert.ok(Math.abs(info.durationS - input.seconds) <= 0.1, `${out}: ${info.durationS} s, expected ${input.seconds}`);
      }
    }
  });
});
