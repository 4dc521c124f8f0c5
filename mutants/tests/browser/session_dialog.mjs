// The login-timeout warning with JavaScript: it appears, takes the focus, passes axe,
// closes with Escape (focus goes back) and extends the login in the background.
//
//   node tests/browser/session_dialog.mjs BASE_URL
//
// The app under test runs with a login lifetime inside the warning window, so the
// warning is due as soon as a step page loads. Prints one JSON report on stdout.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');
const AXE_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
const WAIT_MS = 10_000;
const [base] = process.argv.slice(2);
const report = { checks: [], violations: [] };
const check = (name, ok, detail = '') => report.checks.push({ name, ok: Boolean(ok), detail: String(detail) });
const watchdog = setTimeout(() => { console.log(JSON.stringify({ ...report, error: 'watchdog' })); process.exit(1); }, 60_000);

const browser = await chromium.launch({
  executablePath: process.env.AMTSWEG_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ locale: 'de-DE' });
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${base}/t/musterstadt/forms/fundsache-verlustmeldung/apply`);
  await page.locator('#persona-erika').check();
  await Promise.all([page.waitForURL(/\/steps\//), page.locator('main form button[type="submit"]').click()]);

  const dialog = page.locator('[role="alertdialog"]');
  await dialog.waitFor({ state: 'visible' });
  check('the warning appears as an alert dialog', await dialog.isVisible());
  const focusedInside = await page.evaluate(() => Boolean(document.activeElement.closest('[role="alertdialog"]')));
  check('the warning takes the focus', focusedInside);

  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate((options) => window.axe.run(document, options)
    .then((result) => result.violations.map((rule) => `${rule.id}: ${rule.help}`)), AXE_OPTIONS);
  report.violations.push(...violations);

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  const backOnPage = await page.evaluate(() => !document.activeElement.closest('[role="alertdialog"]'));
  check('Escape closes the warning and gives the focus back', backOnPage);

  await page.reload();
  await dialog.waitFor({ state: 'visible' });
  const [response] = await Promise.all([
    page.waitForResponse((answer) => answer.url().endsWith('/session/extend') && answer.request().method() === 'POST'),
    page.locator('[data-session-dialog-extend]').click(),
  ]);
  check('"extend" renews the login without leaving the page', response.ok() && page.url().includes('/steps/'), response.status());
} catch (error) {
  report.error = String(error && error.stack || error);
} finally {
  clearTimeout(watchdog);
  await browser.close();
}
console.log(JSON.stringify(report));
