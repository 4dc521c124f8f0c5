// The clerk's workplace in Debian's Chromium, checked with axe on every page.
//
//   node tests/browser/clerk.mjs BASE_URL REFERENCE
//
// Sabine Schreiber (clerk of musterstadt) finds the submission REFERENCE by reference and by
// name, opens it, asks for more information (once without a message: the error), and looks at
// the list filtered by form with its export links — in German with the keyboard only, in
// English with the mouse. Erika then sees the request on her submission page (checked in both
// languages) and answers it in a browser without JavaScript. Thomas Verwalter (tenant admin)
// reads the audit log and the clerk settings pages, in German and in English. Sabine also
// clears a credit from a bank statement on the payments page, opens a card payment, asks for a
// refund without an amount (the error) and compares its refunds with the provider, and sees a
// refund that failed at the provider on the payments page and on the payment's, in each
// language.
// Prints one JSON report on stdout: pages (axe WCAG 2.1 A/AA violations), checks, error.

import { loads, openPage, pageReport, walkAndReport } from './common.mjs';

const WAIT_MS = 10_000;

const [base, reference] = process.argv.slice(2);
if (!base || !reference) {
  console.error('usage: node tests/browser/clerk.mjs BASE_URL REFERENCE');
  process.exit(2);
}
const clerkUrl = `${base}/t/musterstadt/clerk/`;
const report = { pages: [], checks: [] };

function check(name, ok, detail = '') {
  report.checks.push({ name, ok: Boolean(ok), detail });
}

async function audit(page, pass, name, options) {
  report.pages.push(await pageReport(page, { pass, name }, options));
}

/** Press Tab until the focused element matches; returns what has the focus. */
async function tabTo(page, wanted, limit = 80) {
  const seen = [];
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate(
      (source) => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const visible =
          (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
          (style.boxShadow && style.boxShadow !== 'none');
        // eslint-disable-next-line no-new-func
        const matches = new Function('el', `return (${source})(el);`)(el);
        return matches
          ? { id: el.id, name: el.getAttribute('name') || '', value: el.value || '', text: el.textContent.trim(), visible: Boolean(visible) }
          : null;
      },
      wanted.toString(),
    );
    if (found) return found;
    seen.push(await page.evaluate(() => `${document.activeElement.tagName}#${document.activeElement.id}:${(document.activeElement.textContent || '').trim().slice(0, 20)}`));
  }
  throw new Error(`keyboard: nothing matched after ${limit} presses of Tab on ${page.url()}: ${seen.slice(0, 40).join(' | ')}`);
}

/** The development login, choosing ``persona``; with the keyboard when ``keyboard``. */
async function logIn(page, persona, keyboard) {
  if (!page.url().includes('/dev-idp/')) throw new Error(`expected the login, got ${page.url()}`);
  if (!keyboard) {
    await page.locator(`#persona-${persona}`).check();
    await loads(page, () => page.locator('main form button[type="submit"]').click());
    return;
  }
  let radio = await tabTo(page, (el) => el.name === 'persona');
  for (let moves = 0; radio.value !== persona && moves < 10; moves += 1) {
    await page.keyboard.press('ArrowDown');
    radio = await page.evaluate(() => ({ value: document.activeElement.value }));
  }
  check('the clerk is chosen with the arrow keys', radio.value === persona, radio.value);
  await loads(page, () => page.keyboard.press('Enter'));
}

async function clerkWithKeyboard(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  try {
    await page.goto(clerkUrl);
    await logIn(page, 'clerk-musterstadt', true);
    await audit(page, 'clerk-de-keyboard', 'list');
    const search = await tabTo(page, (el) => el.id === 'filter-q');
    check('the search field shows its focus', search.visible, JSON.stringify(search));
    await page.keyboard.type(reference);
    await loads(page, () => page.keyboard.press('Enter'));
    await audit(page, 'clerk-de-keyboard', 'list-by-reference');
    const link = await tabTo(page, (el) => el.tagName === 'A' && /[A-Z]+-\d{4}-\d{6}/.test(el.textContent));
    check('the search finds the reference', link.text === reference, link.text);
    check('the result link shows its focus', link.visible, JSON.stringify(link));
    await loads(page, () => page.keyboard.press('Enter'));
    await audit(page, 'clerk-de-keyboard', 'submission');
    const status = await tabTo(page, (el) => el.id === 'processing-status');
    for (let moves = 0; moves < 2; moves += 1) await page.keyboard.press('ArrowDown');
    const chosen = await page.inputValue('#processing-status');
    check('the status is chosen with the arrow keys', chosen === 'more_information_needed', chosen);
    check('the status field shows its focus', status.visible, JSON.stringify(status));
    await tabTo(page, (el) => el.id === 'processing-message');
    await page.keyboard.type('Bitte schicken Sie uns ein Foto des Schirms.');
    await tabTo(page, (el) => el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('#processing'));
    await loads(page, () => page.keyboard.press('Enter'));
    await audit(page, 'clerk-de-keyboard', 'submission-saved');
    const saved = await page.locator('#processing .kern-alert--success').count();
    check('setting the status is confirmed', saved === 1, String(saved));
  } finally {
    await context.close();
  }
}

async function clerkWithMouse(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  try {
    await page.goto(clerkUrl);
    await logIn(page, 'clerk-musterstadt', false);
    await loads(page, () => page.locator('header a[hreflang="en"]').click());
    await audit(page, 'clerk-en', 'list');
    await page.fill('#filter-q', 'mustermann');
    await loads(page, () => page.locator('search form button[type="submit"]').click());
    await audit(page, 'clerk-en', 'list-by-name');
    check('the name search finds the reference', (await page.locator(`main a:text("${reference}")`).count()) === 1);
    await loads(page, () => page.locator(`main a:text("${reference}")`).click());
    await audit(page, 'clerk-en', 'submission');
    await page.selectOption('#processing-status', 'more_information_needed');
    await loads(page, () => page.locator('#processing form[method="post"] button[type="submit"]').click());
    await audit(page, 'clerk-en', 'submission-error');
    await loads(page, () => page.locator('#delivery-heading ~ p a').click());
    await audit(page, 'clerk-en', 'delivery');
    const targets = await page.locator('main h2').allTextContents();
    check('the delivery page names each target with its kind in words', targets.length > 0 && targets.every((t) => /\([A-Z][^)]* [^)]*\)$/.test(t.trim())), targets.join(' | '));
    await page.goto(`${clerkUrl}?form=fundsache-verlustmeldung`);
    await audit(page, 'clerk-en', 'list-of-a-form');
  } finally {
    await context.close();
  }
}

/** The payments page and a credit from a bank statement, cleared once without a note. */
async function clerkClearsACredit(browser, locale) {
  const pass = `clerk-${locale}-payments`;
  const { context, page } = await openPage(browser, WAIT_MS);
  try {
    await page.goto(clerkUrl);
    await logIn(page, 'clerk-musterstadt', false);
    if (locale === 'en') await loads(page, () => page.locator('header a[hreflang="en"]').click());
    await page.goto(`${clerkUrl}payments/`);
    await audit(page, pass, 'payments');
    const why = locale === 'de' ? 'Karte abgelaufen oder gekündigt' : 'card expired or cancelled';
    check(`${locale}: the refund that failed at the provider is listed with its reason in words`, (await page.locator(`#failed-heading + p + table td:text("${why}")`).count()) === 1);
    const clearLinks = page.locator('main a[href*="/statement-lines/"]:has(.kern-sr-only)');
    const waiting = await clearLinks.count();
    await loads(page, () => clearLinks.first().click());
    await audit(page, pass, 'credit');
    await loads(page, () => page.locator('main form button[type="submit"]').click());
    await audit(page, pass, 'credit-error');
    check(`${locale}: a credit is not cleared without a note`, (await page.locator('.kern-error').count()) === 1);
    await page.fill('#resolution', `Cleared in ${locale}`);
    await loads(page, () => page.locator('main form button[type="submit"]').click());
    await audit(page, pass, 'payments-cleared');
    const left = await clearLinks.count();
    check(`${locale}: the cleared credit shows its note`, (await page.locator(`main td:text("Cleared in ${locale}")`).count()) === 1);
    check(`${locale}: one credit fewer waits`, left === waiting - 1, `${waiting} → ${left}`);
    const payment = 'main a[href*="/clerk/payments/"]:not([href*="statement-lines"]):not([href*="export"])';
    await loads(page, () => page.locator(payment).first().click());
    await audit(page, pass, 'payment');
    check(`${locale}: the payment's failed refund says so`, (await page.locator('#refunds-heading + ul strong').count()) === 1);
    await loads(page, () => page.locator('main form:has(#amount) button[type="submit"]').click());
    await audit(page, pass, 'payment-refund-error');
    check(`${locale}: a refund without an amount is refused`, (await page.locator('#refund-error').count()) === 1);
    await loads(page, () => page.locator('main form[action$="/compare-refunds"] button').click());
    await audit(page, pass, 'payment-compared');
    const matched = locale === 'de' ? 'stimmen mit denen des Zahlungsdienstes überein' : "match the provider's";
    check(`${locale}: the refunds match the provider's`, (await page.getByText(matched).count()) === 1);
  } finally {
    await context.close();
  }
}

// The tenant admin's pages of the clerk's area: [name, path under /t/musterstadt/admin/].
const ADMIN_PAGES = [
  ['audit-log', 'audit-log'],
  ['clerks', 'clerks'],
  ['retention', 'retention'],
  ['case-numbers', 'case-numbers'],
  ['message-templates', 'message-templates'],
];

async function tenantAdmin(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  try {
    await page.goto(`${base}/t/musterstadt/admin/${ADMIN_PAGES[0][1]}`);
    await logIn(page, 'admin-musterstadt', false);
    const sabine = await page.locator('main td:text("Sabine Schreiber")').count();
    check('the audit log shows what Sabine did', sabine > 0, String(sabine));
    for (const locale of ['de', 'en']) {
      if (locale === 'en') await loads(page, () => page.locator('header a[hreflang="en"]').click());
      for (const [name, path] of ADMIN_PAGES) {
        await page.goto(`${base}/t/musterstadt/admin/${path}`);
        await audit(page, `admin-${locale}`, name);
      }
      await page.goto(`${base}/t/musterstadt/admin/clerks`);
      await page.locator('main input[value="some"]').first().check();
      await loads(page, () => page.locator('main form button[type="submit"]').first().click());
      await audit(page, `admin-${locale}`, 'clerks-error');
      check(`${locale}: choosing no form is refused`, (await page.locator('.kern-error').count()) === 1);
      await page.goto(`${base}/t/musterstadt/admin/retention`);
      await page.locator('#field-fundsache-verlustmeldung').fill('9999');
      await loads(page, () => page.locator('form[action$="/fundsache-verlustmeldung"] button').click());
      await audit(page, `admin-${locale}`, 'retention-error');
      check(`${locale}: a longer period is refused`, (await page.locator('.kern-error').count()) === 1);
      await textTemplates(page, locale);
    }
  } finally {
    await context.close();
  }
}

/** The admin adds a text template (after one refused without a text), and a clerk's page
 * fills the message from it. */
async function textTemplates(page, locale) {
  const pass = `admin-${locale}`;
  await page.goto(`${base}/t/musterstadt/admin/message-templates/new`);
  await page.fill('#field-title', `Foto fehlt (${locale})`);
  await loads(page, () => page.locator('main form button[type="submit"]').first().click());
  await audit(page, pass, 'message-template-error');
  check(`${locale}: a template without a text is refused`, (await page.locator('#field-text-error').count()) === 1);
  await page.fill('#field-text', 'Bitte reichen Sie ein Foto nach.');
  await page.selectOption('#field-status', 'more_information_needed');
  await loads(page, () => page.locator('main form button[type="submit"]').first().click());
  await audit(page, pass, 'message-templates-saved');
  await page.goto(`${clerkUrl}submissions/${reference}`);
  await page.selectOption('#processing-template', { label: `Foto fehlt (${locale})` });
  await loads(page, () => page.locator('form:has(#processing-template) button').click());
  await audit(page, pass, 'submission-from-template');
  const text = await page.inputValue('#processing-message');
  check(`${locale}: the template fills the message`, text === 'Bitte reichen Sie ein Foto nach.', text);
}

async function citizen(browser, locale, { javaScriptEnabled = true } = {}) {
  const { context, page } = await openPage(browser, WAIT_MS, { javaScriptEnabled });
  const pass = `citizen-${locale}${javaScriptEnabled ? '' : '-no-js'}`;
  try {
    await page.goto(`${base}/t/musterstadt/submissions/${reference}`);
    await logIn(page, 'erika', false);
    if (locale === 'en') await loads(page, () => page.locator('header a[hreflang="en"]').click());
    await audit(page, pass, 'submission', { axe: javaScriptEnabled });
    const asked = await page.locator('#answer-message').count();
    check(`${pass}: Erika is asked for more`, asked === 1, String(asked));
    if (!javaScriptEnabled) {
      await page.fill('#answer-message', 'Das Foto reiche ich nach.');
      await loads(page, () => page.locator('#processing button[type="submit"]').click());
      const answered = await page.locator('#processing .kern-alert--success').count();
      check('Erika answers without JavaScript', answered === 1, page.url());
    }
    await page.goto(`${base}/t/musterstadt/applications/`);
    await loads(page, () => page.locator('main tr:has-text("Kassenzeichen") a').first().click());
    await audit(page, pass, 'refunded-submission', { axe: javaScriptEnabled });
    const failed = locale === 'de' ? 'konnte nicht ausgezahlt werden' : 'could not be paid out';
    const refunds = await page.locator(`#payment-heading ~ ul.kern-list li`).allTextContents();
    check(`${pass}: Erika reads both refunds, one that failed`, refunds.length === 2 && refunds[1].includes(failed), refunds.join(' | '));
  } finally {
    await context.close();
  }
}

walkAndReport(
  report,
  async (browser) => {
    await clerkWithKeyboard(browser);
    await clerkWithMouse(browser);
    await clerkClearsACredit(browser, 'de');
    await clerkClearsACredit(browser, 'en');
    await citizen(browser, 'de');
    await citizen(browser, 'en');
    await citizen(browser, 'de', { javaScriptEnabled: false });
    await tenantAdmin(browser);
  },
  { seconds: 120, what: "the clerk's pages" },
);
