import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { audioInfo, ffmpeg, ffprobe, requirePrograms, sineTone } from '../helpers/programs.js';

// README recipe 5, a two-stage ffmpeg pipeline: stage 1 normalises any audio to mono 48 kHz 16-bit PCM, and its
// `ext: .wav` names the intermediate temp file (PCM fits no FLAC or MP3 container, so stage 1 fails if the
// intermediate kept the input's extension); stage 2 encodes it to the output's extension, .opus.
describe('recipe: two ffmpeg stages with an intermediate .wav', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  const ff = (...args: string[]) =>
    JSON.stringify([ffmpeg.program, '-nostdin', '-loglevel', 'error', '-y', '-i', '{in}', ...args, '{out}']);

  // The README's config, with the program's absolute path and test-friendly settling and retries.
  const config = `
pipelines:
  - name: podcast
    input:
      dir: ./inbox
      include: ["**/*.flac", "**/*.mp3", "**/*.wav"]
      settleMs: 0
    output:
      dir: ./outbox
      path: "{relDir}/{name}.opus"
    retry: { attempts: 1 }
    stages:
      - use: exec
        ext: .wav
        with: { command: ${ff('-af', 'loudnorm', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le')} }
      - use: exec
        with: { command: ${ff('-c:a', 'libopus', '-b:a', '64k')} }
`;

  /** Input (relative to inbox), its tone, its length, and output options for ffmpeg's sine source. */
  const inputs = [
    { rel: 'song.flac', hz: 440, seconds: 1.5, args: ['-ac', '2'] },
    { rel: 'talks/interview.mp3', hz: 330, seconds: 2, args: ['-b:a', '128k'] },
    { rel: 'talks/memo.wav', hz: 550, seconds: 1, args: ['-ar', '22050'] },
  ];

  test('FLAC, MP3 and WAV inputs become mono 48 kHz Opus of the same duration (±0.1 s), no temp file left', async (t) => {
    if (!requirePrograms(t, [ffmpeg, ffprobe])) return;
    writeConfig(box, config);
    fs.mkdirSync(box.path('inbox', 'talks'), { recursive: true });
    for (const input of inputs) sineTone(box.path('inbox', input.rel), input.hz, input.seconds, input.args);
    const r = await runJson(box);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.processed, inputs.length);
    const expected = inputs.map((i) => i.rel.replace(/\.[a-z0-9]+$/, '.opus'));
    assert.deepEqual(box.files('outbox'), [...expected].sort(), 'one Opus file per input, no intermediate left');
    for (const [i, input] of inputs.entries()) {
      const out = box.path('outbox', expected[i]!);
      assert.deepEqual(fileIn(r.report, input.rel).outputs, [out]);
      const info = audioInfo(out);
      assert.deepEqual([info.codec, info.channels, info.sampleRate], ['opus', 1, 48000], out);
      assert.ok(Math.abs(info.durationS - input.seconds) <= 0.1, `${out}: ${info.durationS} s, expected ${input.seconds}`);
    }
  });
});
