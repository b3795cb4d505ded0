import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { closeLogger, createLogger } from '../../src/observability/logger.js';
import { makeTempDir } from '../helpers/cli.js';

test('log.file rotates by size: the newest lines in the file itself, at most maxFiles files, none far past maxBytes', async (t) => {
  const dir = makeTempDir(t);
  const file = path.join(dir, 'sluice.log');
  const write = process.stderr.write;
  // The console transport writes to stderr: keep the test's own output clean.
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const logger = createLogger({ level: 'info', format: 'json', file, maxBytes: 2000, maxFiles: 3 });
    for (let i = 0; i < 200; i++) {
      logger.info(`line ${String(i).padStart(3, '0')} ${'x'.repeat(60)}`, { pipeline: 'p' });
      // Rotation happens between writes: give the file stream a turn now and then, as a running service does.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await closeLogger(logger);
  } finally {
    process.stderr.write = write;
  }
  const names = fs.readdirSync(dir).sort();
  assert.ok(names.length >= 2 && names.length <= 3, names.join(', '));
  assert.ok(names.includes('sluice.log'));
  for (const name of names) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    // winston checks the size between writes, so a file may overshoot by the lines already on their way.
    assert.ok(text.length <= 2 * 2000, `${name}: ${text.length} bytes`);
    for (const line of text.split('\n').filter((l) => l !== '')) assert.equal((JSON.parse(line) as { pipeline: string }).pipeline, 'p');
  }
  const newest = fs.readFileSync(file, 'utf8').trim().split('\n').at(-1)!;
  assert.match(newest, /line 199 /);
});
