import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pipeline, shStage } from '../helpers/process.js';
import { waitForText, withFailureShot } from './browser.js';
import { useDashboard } from './fixture.js';

// File names are data: every view renders them (and the errors that quote them) as text, so markup in a name shows as
// typed and runs nothing: no dialog, no element made from it, no CSP refusal.
describe('dashboard: hostile file names', () => {
  const suite = useDashboard();

  const names = [
    '<img src=x onerror=alert(1)>.txt', '"><svg onload=alert(2)>.txt', '<script>alert(3)<\\script>.txt',
    '&lt;b&gt;not bold&amp;.txt', "' onmouseover='alert(4)'.txt",
  ];

  /** Nothing of the names became markup: no image, no script but the page's own, no inline handler anywhere. */
  async function assertInert(page: Page): Promise<void> {
    assert.equal(await page.locator('img').count(), 0, 'no img element');
    assert.equal(await page.locator('script').count(), 1, 'only the page\'s module script');
    assert.equal(await page.locator('[onerror], [onload], [onmouseover], [onclick]').count(), 0, 'no inline handler');
  }

  test('names in pending, failures, problems, search and detail show as text and run nothing', async (t) => {
    // `held` keeps its inputs pending (their ready markers never come); `bad` fails each, quoting its path.
    const d = await suite.open(t, {
      pipelines: [
        pipeline({ name: 'held', input: { dir: './held', settleMs: 0, marker: '{base}.done' } }),
        pipeline({ name: 'bad', input: { dir: './bad', settleMs: 0 }, stages: [shStage('echo "cannot parse $1" >&2; exit 3')] }),
      ],
    });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'hostile', async () => {
      for (const name of names) {
        box.write(`held/${name}`, 'x');
        box.write(`bad/${name}`, 'x');
      }
      const held = page.getByRole('region', { name: 'Pending' }).getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'held', exact: true }) });
      for (const name of names) await held.getByRole('link', { name, exact: true }).waitFor();
      await waitForText(page.getByRole('region', { name: 'Recent problems' }), names[0]!);
      await assertInert(page);

      await d.show('#view=failures');
      const failures = page.getByRole('region', { name: 'Failures' });
      for (const name of names) await waitForText(failures.getByRole('row', { name: new RegExp(`^${escapeRegExp(name)}`) }), `cannot parse ${box.path('bad', name)}`);
      await assertInert(page);

      await page.getByRole('searchbox', { name: 'Search files by path' }).fill('onerror');
      await page.getByRole('button', { name: 'Search' }).click();
      const found = page.getByRole('region', { name: /^Failures: / });
      await found.getByRole('link', { name: names[0], exact: true }).click();
      await waitForText(page.locator('#file .path-text'), box.path('bad', names[0]!));
      await waitForText(page.locator('#file'), 'In pipeline bad');
      await assertInert(page);
      assert.deepEqual(d.dialogs, [], 'no dialog opened');
      assert.deepEqual(d.errors, [], 'no page error, no CSP refusal');
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
