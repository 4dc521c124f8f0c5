// Erika applies for a residents' parking permit and pays: the sandbox's paths and bank transfer,
// in German and English, with axe (WCAG 2.1 A/AA) on every payment page.
//
//   node tests/browser/payment.mjs BASE_URL
//
// Prints one JSON report on stdout (tests/browser/test_payment.py reads it):
//   pages: every page checked, with axe's violations;  walks: one entry per payment path.

import { loads, openPage, pageReport, walkAndReport } from './common.mjs';

const WAIT_MS = 15_000;
const FORM = 'bewohnerparkausweis';
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

const [base] = process.argv.slice(2);
const tenantUrl = `${base}/t/musterstadt/`;
const report = { pages: [], walks: [] };

async function audit(page, walk, name) {
  report.pages.push(await pageReport(page, { walk: walk.name, name }));
}

async function text(page) {
  return page.locator('main').innerText();
}

/** Start page → login → both steps → summary → submit: ends on the payment page. */
async function applyAndSubmit(page, walk) {
  await page.goto(tenantUrl);
  if (walk.locale === 'en') await loads(page, () => page.locator('header a[hreflang="en"]').click());
  await page.goto(`${tenantUrl}forms/${FORM}/apply`);
  if (page.url().includes('/dev-idp/')) {
    await page.locator('#persona-erika').check();
    await loads(page, () => page.locator('main form button[type="submit"]').click());
  }
  if (!page.url().includes('/steps/')) throw new Error(`expected a step, got ${page.url()}`);
  await page.selectOption('#zone', 'a');
  await loads(page, () => page.locator('form.amtsweg-step button[value="continue"]').last().click());
  await page.fill('#kennzeichen', 'M-AB 123');
  await page.check('input[name="halter"][value="yes"]');
  await page.setInputFiles('#zulassung', { name: 'zulassung.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.check('#bestaetigung');
  await loads(page, () => page.locator('form.amtsweg-step button[value="continue"]').last().click());
  if (!page.url().endsWith('/summary')) throw new Error(`expected the summary, got ${page.url()}: ${await text(page)}`);
  await page.locator('#declaration').check();
  await loads(page, () => page.locator('main form:has(#declaration) button[type="submit"]').click());
  if (!page.url().endsWith('/pay')) throw new Error(`expected the payment page, got ${page.url()}`);
  walk.reference = page.url().split('/').slice(-2)[0];
  await audit(page, walk, 'pay');
}

async function choose(page, provider) {
  await page.check(`#provider-${provider}`);
  await loads(page, () => page.locator('main form button[type="submit"]').click());
}

/** Chooses the sandbox and pays on its page (checked as ``name``) with the card ``number``. */
async function sandboxCard(page, walk, number, name = 'sandbox-card') {
  await choose(page, 'sandbox');
  if (!page.url().includes('/sandbox-payment/')) throw new Error(`expected the sandbox, got ${page.url()}`);
  await audit(page, walk, name);
  await page.fill('#card', number);
  await loads(page, () => page.locator('main button[value="pay"]').click());
}

async function paid(page, walk) {
  if (!page.url().includes(`/submissions/${walk.reference}`)) {
    throw new Error(`expected the confirmation, got ${page.url()}: ${await text(page)}`);
  }
  await audit(page, walk, 'confirmation-paid');
  const shown = await text(page);
  walk.kassenzeichen = /(?:Kassenzeichen)\s*\n?\s*([A-Z0-9]+)/.exec(shown)?.[1] ?? null;
  walk.paid = /bezahlt|paid/.test(shown);
  await loads(page, () => page.locator('main a[href$="/applications/"]').last().click());
  await audit(page, walk, 'my-applications');
  walk.listed = (await text(page)).includes(walk.kassenzeichen ?? '???');
}

const PATHS = {
  async success(page, walk) {
    await sandboxCard(page, walk, '4242 4242 4242 4242');
    await paid(page, walk);
  },
  async declineThenSuccess(page, walk) {
    await sandboxCard(page, walk, '4000 0000 0000 0002');
    await audit(page, walk, 'payment-failed');
    await loads(page, () => page.locator('main a[href$="/pay"]').click());
    await audit(page, walk, 'pay-again');
    await sandboxCard(page, walk, '4242 4242 4242 4242', 'sandbox-card-again');
    await paid(page, walk);
  },
  async extraConfirmation(page, walk) {
    await sandboxCard(page, walk, '4000 0000 0000 3220');
    await audit(page, walk, 'sandbox-confirm');
    await loads(page, () => page.locator('main button[value="approve"]').click());
    await paid(page, walk);
  },
  async laterByWebhook(page, walk) {
    await sandboxCard(page, walk, '4000 0000 0000 0077');
    if (page.url().includes('/return')) {
      // Still waiting: the page offers to look again.
      await audit(page, walk, 'payment-waiting');
      await loads(page, () => page.locator('main a[href$="/return"]').click());
    }
    await paid(page, walk);
  },
  async bankTransfer(page, walk) {
    await choose(page, 'banktransfer');
    if (!page.url().includes(`/submissions/${walk.reference}`)) throw new Error(`expected the confirmation, got ${page.url()}`);
    await audit(page, walk, 'confirmation-girocode');
    const image = page.locator('main img[src$="/girocode.png"]');
    walk.girocode = (await image.count()) === 1 && (await image.getAttribute('alt')).includes('IBAN');
    walk.paid = walk.girocode;
    walk.listed = true;
  },
};

const WALKS = [
  ['success', 'de'],
  ['declineThenSuccess', 'de'],
  ['extraConfirmation', 'en'],
  ['laterByWebhook', 'en'],
  ['bankTransfer', 'de'],
  ['bankTransfer', 'en'],
  ['success', 'en'],
];

walkAndReport(
  report,
  async (browser) => {
    for (const [path, locale] of WALKS) {
      const walk = { name: `${path}-${locale}`, path, locale, reference: null, paid: false, error: null };
      report.walks.push(walk);
      const { context, page } = await openPage(browser, WAIT_MS);
      try {
        await applyAndSubmit(page, walk);
        await PATHS[path](page, walk);
      } catch (error) {
        walk.error = String(error && error.stack ? error.stack : error).slice(0, 1500);
      } finally {
        await context.close();
      }
    }
  },
  { seconds: 225, what: 'the payments' },
);
