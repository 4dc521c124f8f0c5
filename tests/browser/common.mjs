// What every browser script in tests/browser shares: Debian's Chromium, axe-core's WCAG 2.1
// A/AA check of a page, waiting for a page to load, and the JSON report printed on stdout
// (the last line of stdout is what tests/browser/*.py read, whatever happened).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');
const AXE_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
const CHROMIUM = process.env.AMTSWEG_CHROMIUM || '/usr/bin/chromium';

/**
 * axe's WCAG 2.1 A/AA violations on the page: rule id, impact, help and the targets.
 *
 * The app's Content-Security-Policy (script-src 'self') blocks an inline <script>, so
 * addScriptTag({content}) would not run. axe is evaluated through the DevTools protocol
 * instead, which the page's CSP does not govern; the page itself still runs under its CSP.
 */
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (options) =>
      window.axe.run(document, options).then((result) =>
        result.violations.map((rule) => ({
          id: rule.id,
          impact: rule.impact,
          help: rule.help,
          targets: rule.nodes.map((node) => node.target.join(' ')),
        })),
      ),
    AXE_OPTIONS,
  );
}

/**
 * What a script reports of the page it is on: ``fields`` (which walk, which page), its
 * address and language, and axe's violations; with ``axe: false`` (a page only passed
 * through, such as a provider's) it is listed as not checked.
 */
export async function pageReport(page, fields, { axe = true } = {}) {
  const lang = await page.evaluate(() => document.documentElement.lang).catch(() => null);
  const violations = axe ? await axeViolations(page) : [];
  return { ...fields, url: page.url(), lang, checked: axe, violations };
}

/** Wait for the page that ``action`` (a click, a key press) loads, within the page's timeout. */
export async function loads(page, action) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
}

/** A page in a fresh context (no cookies) of German locale that waits at most ``waitMs``. */
export async function openPage(browser, waitMs, options = {}) {
  const context = await browser.newContext({ locale: 'de-DE', ...options });
  context.setDefaultTimeout(waitMs);
  return { context, page: await context.newPage() };
}

/**
 * Run ``walk(browser)`` in Chromium, then print ``report`` as one JSON line.
 *
 * An error ends the walk with ``report.error`` set; a walk that hangs longer than ``seconds``
 * is cut short by a watchdog that prints the report so far, well before the Python test's
 * own timeout kills the process group and there would be no report at all.
 */
export function walkAndReport(report, walk, { seconds, what }) {
  const watchdog = setTimeout(() => {
    report.error = `${what} took longer than ${seconds} s`;
    console.log(JSON.stringify(report));
    process.exit(3);
  }, seconds * 1000);
  withChromium(walk)
    .then(() => {
      clearTimeout(watchdog);
      console.log(JSON.stringify(report));
    })
    .catch((error) => {
      clearTimeout(watchdog);
      report.error = String(error && error.stack ? error.stack : error);
      console.log(JSON.stringify(report));
      process.exit(1);
    });
}

/** Debian's Chromium, headless and without the sandbox (as in a container), closed after ``use``. */
async function withChromium(use) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  try {
    await use(browser);
  } finally {
    await browser.close();
  }
}
