import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pipeline } from '../helpers/process.js';
import { waitForText, withFailureShot } from './browser.js';
import { failingStage, heldStage } from './daemon.js';
import { useDashboard } from './fixture.js';

// The dashboard against a real `sluice watch`: the page loads read-only, follows files live through pending, in
// flight and processed, and lists a failure with its reason.
describe('dashboard: live views of a running daemon', () => {
  const suite = useDashboard();

  test('the page loads: the daemon in the summary strip, the stream live, the pipeline listed', async (t) => {
    const d = await suite.open(t, { pipelines: [pipeline({ name: 'docs' })] });
    if (!d) return;
    const { page } = d;
    await withFailureShot(page, 'loads', async () => {
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'sluice dashboard');
      const figure = (label: string) => page.locator('#summary .figures > div', { has: page.locator('dt', { hasText: label }) }).locator('dd');
      await waitForText(figure('PID'), String(d.sluice.pid));
      assert.equal(await figure('State').textContent(), 'running');
      assert.equal(await figure('Version').textContent(), '0.1.0');
      await waitForText(page.getByRole('region', { name: 'Pipelines' }).getByRole('row', { name: /^docs/ }), 'copy');
      assert.equal(await page.getByRole('button', { name: 'Pause live updates' }).getAttribute('aria-pressed'), 'false');
      assert.equal(await page.title(), 'sluice dashboard');
      assert.deepEqual(d.errors, []);
    });
  });

  test('a dropped file shows as pending, then in flight at its stage, then processed, without a reload', async (t) => {
    // The input waits for its ready marker (pending), then for hold.flag to go (in flight, first of two stages).
    const d = await suite.open(t, {
      pipelines: [pipeline({ input: { dir: './inbox', settleMs: 0, marker: '{base}.done' }, stages: [heldStage('hold.flag'), { use: 'copy' }] })],
    });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'live', async () => {
      await page.evaluate('window.sluiceTestMark = "same document"');
      box.write('hold.flag', '');
      box.write('inbox/report.txt', 'quarterly');
      const pending = page.getByRole('region', { name: 'Pending' });
      await waitForText(pending.getByRole('row', { name: /report\.txt/ }), 'waiting for its ready marker');

      box.write('inbox/report.txt.done', '');
      const inFlight = page.getByRole('region', { name: 'In flight' });
      await waitForText(inFlight.getByRole('row', { name: /report\.txt/ }), 'exec (1 of 2)');
      await waitForText(pending, 'Nothing pending.');

      box.rm('hold.flag');
      await d.sluice.processed('report.txt');
      await waitForText(inFlight, 'Nothing in flight.');
      const row = page.getByRole('region', { name: 'Pipelines' }).getByRole('row', { name: /^p / });
      await waitForText(row.getByRole('cell').nth(1), /^1$/);
      assert.equal(await page.evaluate('window.sluiceTestMark'), 'same document', 'the page was not reloaded');
      assert.deepEqual(d.errors, []);
    });
  });

  test('a failing file is listed under Failures with its reason; read-only, there is no Retry control', async (t) => {
    const d = await suite.open(t, {
      pipelines: [pipeline({ onFailure: { moveTo: './failed' }, stages: [failingStage('fail.flag', 'bad header in input')] })],
    });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'failure', async () => {
      box.write('fail.flag', '');
      box.write('inbox/broken.txt', 'x');
      await waitForText(page.locator('#nav-failed'), '(1)');
      assert.equal(await page.title(), '(1 failed) sluice dashboard');
      await page.getByRole('link', { name: /^Failures/ }).click();
      const row = page.getByRole('region', { name: 'Failures' }).getByRole('row', { name: /broken\.txt/ });
      await waitForText(row, 'bad header in input');
      await waitForText(row, 'EXEC_FAILED');
      assert.match(page.url(), /#view=failures$/);
      assert.equal(await page.getByRole('button', { name: /retry/i }).count(), 0, 'no Retry button when actions are off');
      assert.equal(await page.locator('dialog').count(), 0, 'no confirmation dialog either');
      await page.getByRole('link', { name: 'Overview' }).click();
      await waitForText(page.getByRole('region', { name: 'Recent problems' }), 'broken.txt');
      assert.deepEqual(d.errors, []);
    });
  });

  test('search finds a file, keeps the query in the URL, and its detail shows the timeline; both deep-link', async (t) => {
    const d = await suite.open(t, { pipelines: [pipeline()] });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'search', async () => {
      for (const name of ['invoices/inv-2026-001.txt', 'invoices/inv-2026-002.txt', 'notes.txt']) box.write(`inbox/${name}`, name);
      for (const name of ['invoices/inv-2026-001.txt', 'invoices/inv-2026-002.txt', 'notes.txt']) await d.sluice.processed(name);
      await page.getByRole('searchbox', { name: 'Search files by path' }).fill('INV-2026-001');
      await page.getByRole('searchbox', { name: 'Search files by path' }).press('Enter');
      const recent = page.getByRole('region', { name: /^Recent results/ });
      await waitForText(recent.getByRole('row', { name: /processed/ }), 'invoices/inv-2026-001.txt');
      assert.match(page.url(), /#q=INV-2026-001$/);
      assert.equal(await recent.getByRole('link', { name: /notes|002/ }).count(), 0, 'only the file searched for');

      await recent.getByRole('link', { name: 'invoices/inv-2026-001.txt', exact: true }).first().click();
      const timeline = page.locator('#file ol.timeline');
      for (const step of ['seen', 'queued', 'stage', 'committed', 'processed']) await waitForText(timeline, step);
      await waitForText(timeline, 'copy');
      assert.match(page.url(), /#pipeline=p&path=invoices%2Finv-2026-001\.txt$/);
      await page.reload({ waitUntil: 'load' });
      await waitForText(page.locator('#file'), 'In pipeline p');
      await waitForText(page.locator('#file ol.timeline'), 'processed');
      await waitForText(page.getByRole('region', { name: 'File detail' }), `${box.path('outbox/invoices/inv-2026-001.txt')}`);
      assert.deepEqual(d.errors, []);
    });
  });
});
