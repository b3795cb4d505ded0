import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { pipeline, waitFor } from '../helpers/process.js';
import { waitForText, withFailureShot } from './browser.js';
import { useDashboard } from './fixture.js';

// 10,000 pending files and 5,000 failures: the daemon pages both lists (100 a page) and the page never holds more
// than a page of each, while it keeps following the stream.
describe('dashboard: at scale', () => {
  const suite = useDashboard();

  test('10,000 pending and 5,000 failures: a page of 100 each, paged on the server', async (t) => {
    const pending = 10_000;
    const failures = 5000;
    const box = suite.box();
    fs.mkdirSync(box.path('held'));
    fs.mkdirSync(box.path('bad'));
    for (let i = 0; i < pending; i++) fs.writeFileSync(box.path('held', `f${String(i).padStart(5, '0')}.txt`), '');
    for (let i = 0; i < failures; i++) fs.writeFileSync(box.path('bad', `b${String(i).padStart(4, '0')}.json`), '{');
    // `held` waits for ready markers that never come; `bad` fails each at once (not JSON), in process.
    const d = await suite.open(t, {
      pipelines: [
        pipeline({ name: 'held', input: { dir: './held', settleMs: 0, marker: '{base}.done' } }),
        pipeline({ name: 'bad', input: { dir: './bad', settleMs: 0 }, stages: [{ use: 'json' }] }),
      ],
    });
    if (!d) return;
    const { page } = d;
    const most = watchConcurrency(page);
    await withFailureShot(page, 'scale', async () => {
      const figure = (label: string) => page.locator('#summary .figures > div', { has: page.locator('dt', { hasText: label }) }).locator('dd');
      await waitForText(figure('Pending'), /^10,000$/, { timeoutMs: 120_000 });
      await waitForText(figure('Failed'), /^5,000$/, { timeoutMs: 120_000 });

      const region = page.getByRole('region', { name: 'Pending' });
      await waitForText(region.locator('.pager'), 'Page 1 of 100, 10,000 pending files in all');
      assert.equal(await region.locator('tbody tr').count(), 100);
      const first = await region.locator('tbody tr a.file').first().textContent();
      await region.getByRole('button', { name: 'Next page' }).click();
      await waitForText(region.locator('.pager'), 'Page 2 of 100');
      assert.notEqual(await region.locator('tbody tr a.file').first().textContent(), first);
      assert.equal(await region.locator('tbody tr').count(), 100);

      await d.show('#view=failures');
      const list = page.getByRole('region', { name: 'Failures' });
      await waitForText(list.locator('.pager'), 'Page 1 of 50, 5,000 failures in all');
      assert.equal(await list.locator('tbody tr').count(), 100);
      await waitForText(list.locator('tbody tr').first(), 'INPUT_INVALID');
      const updated = await page.locator('#updated time').getAttribute('datetime');
      await waitFor('a newer status', async () => (await page.locator('#updated time').getAttribute('datetime')) !== updated, { timeoutMs: 30_000 });
      // Both views' tables are in the DOM (one hidden): a page of each list, the problems and the pipelines.
      const rows = await page.locator('tr').count();
      assert.ok(rows < 300, `${rows} table rows: a page of each list, never the list`);
      assert.deepEqual([...most.values()].filter((n) => n > 1), [], 'one request at a time per list page: revisions never pile up');
      assert.deepEqual(d.errors, []);
    });
  });
});

/** The most requests for each /api/ URL (but events) the page ever had in flight at once, updated as it runs. */
function watchConcurrency(page: Page): Map<string, number> {
  const now = new Map<string, number>();
  const most = new Map<string, number>();
  const api = (r: Request) => {
    const url = new URL(r.url());
    return url.pathname.startsWith('/api/') && url.pathname !== '/api/events' ? `${url.pathname}${url.search}` : null;
  };
  page.on('request', (r) => {
    const key = api(r);
    if (key === null) return;
    now.set(key, (now.get(key) ?? 0) + 1);
    most.set(key, Math.max(most.get(key) ?? 0, now.get(key)!));
  });
  const done = (r: Request) => {
    const key = api(r);
    if (key !== null) now.set(key, (now.get(key) ?? 1) - 1);
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return most;
}
