#!/usr/bin/env node
// node tools/screenshots.mjs [out-folder]: runs a real `sluice watch` on demo data (tools/screenshots/demo.mjs) and
// writes PNGs of the dashboard's views (overview, failures, file detail, search) to docs/dashboard/ (or out-folder),
// taken with Debian's chromium through playwright-core. Needs `npm run build` first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { flood, seed, startDemo } from './screenshots/demo.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs/dashboard'));
const executablePath = '/usr/bin/chromium';

/** Polls the daemon's /api/status until `ready(status)` holds (at most 60 s). */
async function waitForStatus(url, what, ready) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(new URL('api/status', url)).then((r) => r.json());
    if (ready(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(status.totals)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Loads a view by its hash, waits for `selector` to hold `text`, and writes `<name>.png`. */
async function capture(page, url, name, hash, selector, text) {
  await page.goto(new URL(hash, url).href, { waitUntil: 'load' });
  await page.locator('#connection', { hasText: 'Live' }).waitFor();
  await page.locator(selector, { hasText: text }).first().waitFor();
  // Let a second status event land, so ages and the sparklines are those of one moment.
  await page.waitForTimeout(700);
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)\n`);
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/src/cli/main.js'))) throw new Error('run `npm run build` first');
  if (!fs.existsSync(executablePath)) throw new Error(`needs ${executablePath}: apt-get install chromium`);
  fs.mkdirSync(out, { recursive: true });
  const demo = await startDemo();
  const browser = await chromium.launch({ executablePath });
  try {
    seed(demo.dir);
    await waitForStatus(demo.url, 'the reports', (s) => s.totals.failed >= 4);
    flood(demo.dir);
    await waitForStatus(demo.url, 'invoices in flight and queued', (s) => s.totals.inFlight >= 3 && s.totals.pending >= 300);
    await waitForStatus(demo.url, 'a processed invoice', (s) => s.pipelines.find((p) => p.name === 'invoices').processed >= 2);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await capture(page, demo.url, 'overview', '#view=overview', '#in-flight', 'invoices');
    await capture(page, demo.url, 'failures', '#view=failures', '#failures tbody', 'INPUT_INVALID');
    await capture(page, demo.url, 'file-detail', '#pipeline=invoices&path=2026-11%2Finv-00001.pdf', '#file ol.timeline', 'processed');
    await capture(page, demo.url, 'search', '#q=inv-0000', '[aria-labelledby="found-recent-results"] tbody', 'processed');
  } finally {
    await browser.close();
    await demo.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`screenshots: ${err.message}\n`);
  process.exit(1);
});
