/**
 * The dashboard's browser tests drive Debian's chromium (/usr/bin/chromium) with playwright-core: a page per test in
 * its own context, what the page did wrong collected as it happens (dialogs, page errors, console errors such as CSP
 * refusals), axe-core run inside the page, and screenshots.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { waitFor, type WaitOptions } from '../helpers/process.js';
import { requirePrograms, type Program } from '../helpers/programs.js';

export const chromiumProgram: Program = { program: '/usr/bin/chromium', pkg: 'chromium' };

/**
 * True when /usr/bin/chromium is there. Otherwise fails the test under CI=true (CI must install the Debian package
 * `chromium`) and skips it elsewhere, saying so; the caller returns at once on false.
 */
export function requireChromium(t: TestContext): boolean {
  return requirePrograms(t, [chromiumProgram]);
}

/** Launches chromium headless (playwright-core runs it without the sandbox, which root needs). */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumProgram.program });
}

/** A page and what it did that a test should see: native dialogs (dismissed), uncaught errors, console errors. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly dialogs: string[];
  readonly errors: string[];
}

/** A fresh context (no cookies, no cache) with one page, watched. close() the context when done. */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watched: WatchedPage = { context, page, dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    watched.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (err) => watched.errors.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') watched.errors.push(`console: ${m.text()}`);
  });
  return watched;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** An axe finding, as the tests report it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is now and returns its serious and
 * critical violations. axe is injected with page.evaluate: the page's CSP refuses an added script tag.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`);
  return (result as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Writes a full-page PNG of the page to `file` (folders created) and returns the path. */
export async function screenshot(page: Page, file: string): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs `body`; when it throws, saves a screenshot of the page outside the test's temp folder (which is removed) and
 * rethrows with its path added, so a failure on CI can be looked at.
 */
export async function withFailureShot<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const file = path.join(os.tmpdir(), 'sluice-dashboard-failures', `${name.replace(/[^a-z0-9-]+/gi, '-')}-${Date.now()}.png`);
    const saved = await screenshot(page, file).then(() => file, (shotErr: Error) => `none (${shotErr.message})`);
    if (err instanceof Error) err.message += `\n--- screenshot of the page: ${saved}`;
    throw err;
  }
}

/** Waits until the locator's text (whitespace collapsed) matches. */
export function waitForText(locator: Locator, expected: string | RegExp, o?: WaitOptions): Promise<string> {
  return waitFor(`text ${String(expected)} in ${String(locator)}`, async () => {
    const text = ((await locator.textContent({ timeout: 1000 }).catch(() => null)) ?? '').replace(/\s+/g, ' ').trim();
    const ok = typeof expected === 'string' ? text.includes(expected) : expected.test(text);
    return ok ? text : null;
  }, { timeoutMs: 15_000, intervalMs: 50, ...o });
}
