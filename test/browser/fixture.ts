/**
 * One browser per test file, one Sandbox, daemon and page per test: `useDashboard()` registers the hooks (the daemon and
 * the page are closed after each test, the browser after the file) and returns `open`, which starts a daemon on a
 * config and loads its dashboard.
 */
import fs from 'node:fs';
import { after, afterEach, before, beforeEach, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { Sandbox } from '../helpers/process.js';
import { chromiumProgram, launch, openPage, requireChromium, waitForText, type WatchedPage } from './browser.js';
import { startDashboard, type Dashboard } from './daemon.js';

export interface Opened extends WatchedPage, Dashboard {
  readonly box: Sandbox;
  /** Goes to a view by its hash (`#view=failures`, `#q=…`; '' for the overview) and waits for the page to be live. */
  show(hash: string): Promise<void>;
}

export interface DashboardSuite {
  /** The test's sandbox (fresh for each test). */
  box(): Sandbox;
  /**
   * Starts `sluice watch` on `config` with the dashboard on (`actions` as given), opens the page at `hash` and waits
   * until it shows the stream live. Resolves null when the test was skipped for want of chromium (return at once).
   */
  open(t: TestContext, config: Record<string, unknown>, o?: { actions?: boolean; hash?: string }): Promise<Opened | null>;
}

/** Registers the hooks of a dashboard test file; call it at the top of its describe(). */
export function useDashboard(): DashboardSuite {
  let browser: Browser | null = null;
  let box: Sandbox;
  const pages: WatchedPage[] = [];
  before(async () => {
    if (fs.existsSync(chromiumProgram.program)) browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context.close();
    await box.dispose();
  });
  return {
    box: () => box,
    async open(t, config, o = {}) {
      if (!requireChromium(t) || browser === null) return null;
      const dashboard = await startDashboard(box, config, { actions: o.actions ?? false });
      const watched = await openPage(browser);
      pages.push(watched);
      const show = async (hash: string) => {
        await watched.page.goto(`${dashboard.url}${hash}`, { waitUntil: 'load' });
        await waitForText(watched.page.locator('#connection'), 'Live');
      };
      await show(o.hash ?? '');
      return { ...watched, ...dashboard, box, show };
    },
  };
}
