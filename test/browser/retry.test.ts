import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Request } from 'playwright-core';
import { pipeline } from '../helpers/process.js';
import { seriousViolations, waitForText, withFailureShot } from './browser.js';
import { failingStage } from './daemon.js';
import { useDashboard } from './fixture.js';

// With http.actions: true the failures view retries: one row, or every failure a filter shows after one
// confirmation, through POST /api/retry with the page's CSRF token; the daemon then processes the inputs again.
describe('dashboard: retry from the failures view', () => {
  const suite = useDashboard();

  // Fails (quarantined to ./failed) while fail.flag exists.
  const config = {
    pipelines: [pipeline({ onFailure: { moveTo: './failed' }, stages: [failingStage('fail.flag', 'upstream service unavailable')] })],
  };

  test('Retry on a row: the file goes back and is processed once the cause is fixed', async (t) => {
    const d = await suite.open(t, config, { actions: true, hash: '#view=failures' });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'retry-one', async () => {
      const posts: Request[] = [];
      page.on('request', (r) => r.method() === 'POST' && posts.push(r));
      box.write('fail.flag', '');
      box.write('inbox/a.txt', 'content of a');
      const retry = page.getByRole('button', { name: 'Retry a.txt', exact: true });
      await retry.waitFor();
      assert.ok(box.read('failed/a.txt'), 'quarantined');

      box.rm('fail.flag');
      await retry.click();
      await waitForText(page.locator('#failures-message'), 'Retried 1 file.');
      await d.sluice.processed('a.txt');
      assert.equal(box.read('outbox/a.txt')?.toString(), 'content of a');
      await waitForText(page.locator('#failures'), 'No failures.');

      assert.equal(posts.length, 1);
      const post = posts[0]!;
      assert.equal(new URL(post.url()).pathname, '/api/retry');
      assert.match((await post.allHeaders())['x-csrf-token'] ?? '', /^[0-9a-f]{16,}$/, 'the CSRF token goes along');
      assert.deepEqual(post.postDataJSON(), { items: [{ pipeline: 'p', path: 'a.txt' }] });
      assert.deepEqual(d.errors, []);
    });
  });

  test('"Retry all N shown" after a filter asks once, then retries exactly what the filter shows', async (t) => {
    const d = await suite.open(t, config, { actions: true });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'retry-all', async () => {
      box.write('fail.flag', '');
      for (const name of ['batch-1.txt', 'batch-2.txt', 'other.txt']) box.write(`inbox/${name}`, name);
      await waitForText(page.locator('#nav-failed'), '(3)');
      await page.getByRole('link', { name: /^Failures/ }).click();
      await page.getByRole('searchbox', { name: 'Filter failures by path' }).fill('batch');
      await page.getByRole('button', { name: 'Filter' }).click();
      assert.match(page.url(), /#view=failures&fq=batch$/);
      const all = page.getByRole('button', { name: 'Retry all 2 shown' });
      await all.waitFor();

      await all.click();
      const dialog = page.getByRole('dialog', { name: 'Retry failures?' });
      await waitForText(dialog, 'Retry all 2 failures whose path contains “batch”?');
      assert.deepEqual(await seriousViolations(page), [], 'the dialog passes axe');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.ok(box.read('failed/batch-1.txt'), 'Cancel retries nothing');

      box.rm('fail.flag');
      await all.click();
      await dialog.getByRole('button', { name: 'Retry 2' }).click();
      await waitForText(page.locator('#failures-message'), 'Retried 2 files.');
      await d.sluice.processed('batch-1.txt');
      await d.sluice.processed('batch-2.txt');
      assert.ok(box.read('failed/other.txt'), 'what the filter hid stays failed');
      await waitForText(page.locator('#failures'), 'No failures.');
      assert.deepEqual(d.dialogs, [], 'no native dialog: the page asks in its own');
      assert.deepEqual(d.errors, []);
    });
  });
});
