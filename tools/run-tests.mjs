#!/usr/bin/env node
// node tools/run-tests.mjs <folder> [concurrency]: runs every *.test.js below <folder> with Node's test runner, on the
// Node that runs this script. Node 20 takes a folder for `node --test`, Node 22 and later take only files or globs;
// naming the files serves both.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [folder, concurrency = '1'] = process.argv.slice(2);
if (!folder) {
  process.stderr.write('usage: node tools/run-tests.mjs <folder> [concurrency]\n');
  process.exit(2);
}
const files = fs.readdirSync(folder, { recursive: true })
  .map((f) => path.join(folder, String(f)))
  .filter((f) => f.endsWith('.test.js'))
  .sort();
const run = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
