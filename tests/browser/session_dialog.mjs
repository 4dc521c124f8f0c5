// The login-timeout warning with JavaScript: it appears, takes the focus, passes axe,
// closes with Escape (focus goes back) and extends the login in the background.
//
//   node tests/browser/session_dialog.mjs BASE_URL
//
// The app under test runs with a login lifetime inside the warning window, so the
// warning is due as soon as a step page loads. Prints one JSON report on stdout.

import { axeViolations, openPage, walkAndReport } from './common.mjs';

const WAIT_MS = 10_000;
const [base] = process.argv.slice(2);
const report = { checks: [], violations: [] };
const check = (name, ok, detail = '') => report.checks.push({ name, ok: Boolean(ok), detail: String(detail) });

walkAndReport(
  report,
  async (browser) => {
    const { page } = await openPage(browser, WAIT_MS);
    await page.goto(`${base}/t/musterstadt/forms/fundsache-verlustmeldung/apply`);
    await page.locator('#persona-erika').check();
    await Promise.all([page.waitForURL(/\/steps\//), page.locator('main form button[type="submit"]').click()]);

    const dialog = page.locator('[role="alertdialog"]');
    await dialog.waitFor({ state: 'visible' });
    check('the warning appears as an alert dialog', await dialog.isVisible());
    const focusedInside = await page.evaluate(() => Boolean(document.activeElement.closest('[role="alertdialog"]')));
    check('the warning takes the focus', focusedInside);

    const violations = await axeViolations(page);
    report.violations.push(...violations.map((rule) => `${rule.id}: ${rule.help}`));

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // The warning came while nothing had focus: the focus goes to the notice's title,
    // never stays on a hidden button nor falls to the bare page.
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return { id: element.id, visible: element.checkVisibility(), inDialog: Boolean(element.closest('[role="alertdialog"]')) };
    });
    check(
      'Escape closes the warning and gives the focus to the notice',
      focused.id === 'amtsweg-session-title' && focused.visible && !focused.inDialog,
      JSON.stringify(focused),
    );

    await page.reload();
    await dialog.waitFor({ state: 'visible' });
    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.url().endsWith('/session/extend') && answer.request().method() === 'POST'),
      page.locator('[data-session-dialog-extend]').click(),
    ]);
    check('"extend" renews the login without leaving the page', response.ok() && page.url().includes('/steps/'), response.status());
  },
  { seconds: 60, what: 'the timeout warning' },
);
