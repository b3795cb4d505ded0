/**
 * Real programs for the recipe tests (ImageMagick, ffmpeg, poppler, Ghostscript), named by absolute path: on some
 * machines an earlier PATH entry holds a `convert` that is not ImageMagick's. `.ci/run` installs their Debian packages.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { TestContext } from 'node:test';

/** A program a test runs, by absolute path, and the Debian package that installs it. */
export interface Program {
  readonly program: string;
  readonly pkg: string;
}

export const convert: Program = { program: '/usr/bin/convert', pkg: 'imagemagick' };
export const identify: Program = { program: '/usr/bin/identify', pkg: 'imagemagick' };
export const ffmpeg: Program = { program: '/usr/bin/ffmpeg', pkg: 'ffmpeg' };
export const ffprobe: Program = { program: '/usr/bin/ffprobe', pkg: 'ffmpeg' };
export const pdftoppm: Program = { program: '/usr/bin/pdftoppm', pkg: 'poppler-utils' };
export const gs: Program = { program: '/usr/bin/gs', pkg: 'ghostscript' };

function installed(p: Program): boolean {
  try {
    fs.accessSync(p.program, fs.constants.X_OK);
    return fs.statSync(p.program).isFile();
  } catch {
    return false;
  }
}

/**
 * True when every program in `needed` is an executable file. Otherwise, under `CI=true`, throws (the test fails:
 * CI must have them); elsewhere calls `t.skip` with a message naming each missing program and its package, and
 * returns false, so the caller returns at once.
 */
export function requirePrograms(t: TestContext, needed: readonly Program[]): boolean {
  const missing = needed.filter((p) => !installed(p));
  if (missing.length === 0) return true;
  const names = missing.map((p) => `${p.program} (Debian package ${p.pkg})`).join(', ');
  const install = `apt-get install ${[...new Set(missing.map((p) => p.pkg))].join(' ')}`;
  if (process.env['CI'] === 'true') throw new Error(`this test needs ${names}, which CI must install: ${install}`);
  t.skip(`needs ${names}; install with: ${install}`);
  return false;
}

/** Runs `p` with `args` (no shell) in `cwd` to completion and returns its stdout; throws with its stderr if it fails. */
export function run(p: Program, args: readonly string[], cwd?: string): string {
  const r = spawnSync(p.program, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${p.program} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

export interface ImageInfo {
  /** ImageMagick's format name, e.g. `PNG`. */
  readonly format: string;
  readonly width: number;
  readonly height: number;
}

/** What `identify` says of an image file (its first frame). */
export function imageInfo(file: string): ImageInfo {
  const [format, width, height] = run(identify, ['-format', '%m %w %h\n', `${file}[0]`]).trim().split(' ');
  return { format: format!, width: Number(width), height: Number(height) };
}

export interface AudioInfo {
  /** ffprobe's codec_name of the first audio stream, e.g. `opus`, `mp3`, `pcm_s16le`. */
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
  /** The container's duration in seconds. */
  readonly durationS: number;
}

/** What `ffprobe` says of an audio file's first audio stream and its container. */
export function audioInfo(file: string): AudioInfo {
  const out = run(ffprobe, [
    '-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,channels,sample_rate:format=duration',
    '-of', 'json', file,
  ]);
  const probe = JSON.parse(out) as {
    streams: { codec_name: string; channels: number; sample_rate: string }[];
    format: { duration: string };
  };
  const stream = probe.streams[0];
  if (!stream) throw new Error(`${file} has no audio stream: ${out}`);
  return {
    codec: stream.codec_name,
    channels: stream.channels,
    sampleRate: Number(stream.sample_rate),
    durationS: Number(probe.format.duration),
  };
}

/**
 * Writes a sine tone with ffmpeg's lavfi source: mono 44.1 kHz, in the format `file`'s extension names (`.wav`,
 * `.flac`, `.mp3` …), unless `args` (output options) say otherwise.
 */
export function sineTone(file: string, frequencyHz: number, durationS: number, args: readonly string[] = []): void {
  run(ffmpeg, [
    '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:duration=${durationS}`,
    ...args, file,
  ]);
}
