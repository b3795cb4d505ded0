import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

// The package as a user gets it (`npm run test:pack`): `npm pack` of this checkout, then `npm install -g` of the
// tarball into a fresh prefix from a folder outside the checkout (neither its node_modules nor its .npmrc help), and
// the installed `sluice` command run as the README's quick start runs it.

const run = promisify(execFile);
const checkout = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { version: string };
const dashboard = fs.existsSync(path.join(checkout, 'web', 'index.html'));

/**
 * The install's environment: better-sqlite3 compiles from source, and with no internet for Node's headers node-gyp
 * takes those of the Node running this test (Debian's nodejs keeps them under /usr/include/node: nodedir /usr).
 */
function installEnv(): NodeJS.ProcessEnv {
  const nodedir = path.dirname(path.dirname(process.execPath));
  const headers = fs.existsSync(path.join(nodedir, 'include', 'node', 'node_version.h'));
  return { ...process.env, ...(headers ? { npm_config_nodedir: nodedir } : {}), npm_config_update_notifier: 'false' };
}

describe('npm pack, npm install -g of the tarball, the installed sluice command', () => {
  let root: string;
  let files: string[];
  let prefix: string;
  let site: string;
  /** Runs the installed `sluice` in the site folder, its bin folder first on PATH (bin/sluice execs `node`). */
  const sluice = (...args: string[]) => run(path.join(prefix, 'bin', 'sluice'), args,
    { cwd: site, env: { ...process.env, PATH: `${path.join(prefix, 'bin')}:${process.env['PATH']}` } });

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pack-'));
    prefix = path.join(root, 'prefix');
    site = path.join(root, 'site');
    fs.mkdirSync(site);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: checkout, maxBuffer: 64 << 20 });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    // Several minutes on a busy machine: npm fetches the dependencies and compiles better-sqlite3.
    await run('npm', ['install', '-g', '--prefix', prefix, '--allow-scripts=better-sqlite3', '--no-audit', '--no-fund',
      path.join(root, info!.filename)], { cwd: root, env: installEnv(), timeout: 600_000 });
  }, { timeout: 660_000 });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the tarball holds the command, the compiled library, the configs and the dashboard, and nothing else', () => {
    const outside = files.filter((f) => !/^(bin|dist\/src|config|web)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
    assert.deepEqual(outside, [], 'no tests, benchmarks, sources, tools or CI files');
    for (const needed of ['bin/sluice', 'bin/launch-settings.js', 'dist/src/index.js', 'dist/src/cli/main.js',
      'config/starter.yaml', 'config/default.yaml', 'config/sluice.service']) assert.ok(files.includes(needed), needed);
    if (dashboard) assert.ok(files.includes('web/index.html'), 'the dashboard page');
  });

  test('sluice --version prints the package version', async () => {
    assert.equal((await sluice('--version')).stdout.trim(), manifest.version);
  });

  test('sluice init writes a config that sluice check accepts and sluice run processes a tiny folder with', async () => {
    assert.match((await sluice('init')).stdout, /wrote .*sluice\.yaml/);
    assert.match((await sluice('check')).stdout, /config is valid/);
    fs.mkdirSync(path.join(site, 'inbox', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(site, 'inbox', 'a.txt'), 'hello\n');
    fs.writeFileSync(path.join(site, 'inbox', 'sub', 'b.txt'), 'world\n');
    const report = JSON.parse((await sluice('run', '--json')).stdout) as { processed: number; failed: number };
    assert.equal(report.processed, 2);
    assert.equal(report.failed, 0);
    assert.equal(gunzipSync(fs.readFileSync(path.join(site, 'outbox', 'a.txt.gz'))).toString(), 'hello\n');
    assert.equal(gunzipSync(fs.readFileSync(path.join(site, 'outbox', 'sub', 'b.txt.gz'))).toString(), 'world\n');
    assert.deepEqual(fs.readdirSync(path.join(site, 'archive')).sort(), ['a.txt', 'sub'], 'the starter config archives inputs');
  });

  test('the installed package exports the library and holds the dashboard page', async () => {
    // An --eval module resolves bare specifiers from its cwd: <prefix>/lib/node_modules/sluice, through "exports".
    const lib = path.join(prefix, 'lib');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e',
      "const m = await import('sluice'); console.log(typeof m.runOnce, typeof m.loadConfig)"], { cwd: lib });
    assert.equal(stdout.trim(), 'function function');
    const page = path.join(lib, 'node_modules', 'sluice', 'web', 'index.html');
    assert.equal(fs.existsSync(page), dashboard, dashboard ? 'web/index.html installed' : 'no web/ in this checkout');
  });
});
