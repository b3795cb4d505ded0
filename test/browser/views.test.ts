import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { pipeline } from '../helpers/process.js';
import { screenshot, seriousViolations, waitForText, withFailureShot } from './browser.js';
import { failingStage, heldStage } from './daemon.js';
import { useDashboard } from './fixture.js';

// Every view a user can reach (overview, failures, search results, file detail) with something in each list: axe-core
// finds no serious or critical violation, the keyboard reaches the controls, and a screenshot of each is written.
describe('dashboard: accessibility of every view', () => {
  const suite = useDashboard();

  test('axe reports nothing serious or critical on any view; a screenshot of each is written', async (t) => {
    const d = await suite.open(t, {
      pipelines: [
        pipeline({ name: 'docs', stages: [{ ...heldStage('hold.flag'), concurrency: 1 }, { use: 'copy' }] }),
        pipeline({ name: 'bad', input: { dir: './bad', settleMs: 0 }, stages: [failingStage('bad.flag', 'cannot parse the header')] }),
      ],
    }, { actions: true });
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'views', async () => {
      box.write('done.txt', '');
      box.write('inbox/first.txt', 'first');
      await d.sluice.processed('first.txt');
      box.write('hold.flag', '');
      box.write('bad.flag', '');
      for (let i = 0; i < 8; i++) box.write(`inbox/queued-${i}.txt`, String(i));
      box.write('bad/broken.json', '{');
      await waitForText(page.getByRole('region', { name: 'In flight' }), 'exec (1 of 2)');
      await waitForText(page.getByRole('region', { name: 'Pending' }), 'queued');
      await waitForText(page.getByRole('region', { name: 'Recent problems' }), 'broken.json');

      const views: [string, string, () => Promise<unknown>][] = [
        ['overview', '', () => waitForText(page.getByRole('region', { name: 'Pipelines' }), 'docs')],
        ['failures', '#view=failures', () => page.getByRole('button', { name: 'Retry broken.json' }).waitFor()],
        ['search', '#q=first', () => waitForText(page.getByRole('region', { name: /^Recent results/ }), 'first.txt')],
        ['file', '#pipeline=docs&path=first.txt', () => waitForText(page.locator('#file ol.timeline'), 'processed')],
      ];
      for (const [name, hash, ready] of views) {
        await d.show(hash);
        await ready();
        assert.deepEqual(await seriousViolations(page), [], `axe on the ${name} view`);
        const file = await screenshot(page, box.path('screenshots', `${name}.png`));
        assert.deepEqual([...fs.readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${name}.png is a PNG`);
      }
      assert.deepEqual(d.errors, []);
    });
  });

  test('keyboard: Tab reaches the pause toggle, the views and search; focus is visible', async (t) => {
    const d = await suite.open(t, { pipelines: [pipeline()] });
    if (!d) return;
    const { page } = d;
    await withFailureShot(page, 'keyboard', async () => {
      const reached: string[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        reached.push(String(await page.evaluate(`(() => {
          const el = document.activeElement;
          const outline = getComputedStyle(el).outlineStyle;
          return (el.getAttribute('aria-label') || el.textContent.trim() || el.id) + (outline === 'none' ? ' (no outline)' : '');
        })()`)));
      }
      assert.deepEqual(reached.slice(0, 5), ['Pause live updates', 'Overview', 'Failures', 'search-q', 'Search']);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.type('nothing-matches');
      await page.keyboard.press('Enter');
      await waitForText(page.getByRole('heading', { level: 2 }).filter({ hasText: 'Search results' }), 'nothing-matches');
      assert.equal(await page.evaluate('document.activeElement.id'), 'h-search', 'focus moves to the new view\'s heading');
    });
  });
});
