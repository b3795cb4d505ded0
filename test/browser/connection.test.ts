import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pipeline } from '../helpers/process.js';
import { waitForText, withFailureShot } from './browser.js';
import { startDashboard } from './daemon.js';
import { useDashboard } from './fixture.js';

// The live stream's states on screen: Live, Paused (the user's toggle: nothing changes on the page), and
// "Disconnected, reconnecting…" when the daemon goes away, back to Live by itself when it returns on the same port.
describe('dashboard: the connection', () => {
  const suite = useDashboard();

  test('pause holds the page still, resume catches up; a lost daemon shows and the page reconnects by itself', async (t) => {
    const config = { pipelines: [pipeline()] };
    const d = await suite.open(t, config);
    if (!d) return;
    const { page, box } = d;
    await withFailureShot(page, 'connection', async () => {
      const connection = page.locator('#connection');
      assert.equal(await connection.getAttribute('role'), 'status', 'announced to screen readers');
      const processed = page.getByRole('region', { name: 'Pipelines' }).getByRole('row', { name: /^p / }).getByRole('cell').nth(1);
      await waitForText(processed, /^0$/);

      const pause = page.getByRole('button', { name: 'Pause live updates' });
      await pause.click();
      assert.equal(await pause.getAttribute('aria-pressed'), 'true');
      await waitForText(connection, 'Paused');
      box.write('inbox/a.txt', 'a');
      await d.sluice.processed('a.txt');
      assert.equal(await processed.textContent(), '0', 'paused: the page keeps what it showed');
      await pause.click();
      assert.equal(await pause.getAttribute('aria-pressed'), 'false');
      await waitForText(processed, /^1$/);
      await waitForText(connection, 'Live');

      const port = Number(new URL(d.url).port);
      d.sluice.kill('SIGTERM');
      assert.equal((await d.sluice.waitForExit()).code, 0);
      await waitForText(connection, 'Disconnected, reconnecting…');
      const again = await startDashboard(box, config, { port });
      await waitForText(connection, 'Live');
      const pid = page.locator('#summary .figures > div', { has: page.locator('dt', { hasText: 'PID' }) }).locator('dd');
      await waitForText(pid, String(again.sluice.pid));
      assert.deepEqual(d.errors.filter((e) => !/ERR_CONNECTION_REFUSED|net::/.test(e)), []);
    });
  });
});
