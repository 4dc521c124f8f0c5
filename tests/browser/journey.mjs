// Walks the citizen journey of catalogue forms in Debian's Chromium and checks every page with axe.
//
//   node tests/browser/journey.mjs BASE_URL [TENANT_SLUG]
//
// Prints one JSON report on stdout (tests/browser/test_accessibility.py reads it):
//   pages:    every page visited, with axe's WCAG 2.1 A/AA violations (rule id, impact, targets)
//   journeys: one entry per walk through a form, with the reference number it ended on
//   checks:   keyboard checks (skip link, error summary links, visible focus)
// Set AMTSWEG_SCREENSHOTS=DIR to keep a PNG of every checked page (for looking, never committed).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loads, openPage, pageReport, walkAndReport } from './common.mjs';

const SCREENSHOTS = process.env.AMTSWEG_SCREENSHOTS || '';
const REFERENCE = /[A-Z]{3,4}-\d{4}-\d{6}/;
const WAIT_MS = 10_000;
// The smallest file the app accepts as a PDF: the header and the end-of-file marker.
const PERMIT_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

const [base, tenantSlug = 'musterstadt'] = process.argv.slice(2);
if (!base) {
  console.error('usage: node tests/browser/journey.mjs BASE_URL [TENANT_SLUG]');
  process.exit(2);
}
const tenantUrl = `${base}/t/${tenantSlug}/`;
const report = { pages: [], journeys: [], checks: [] };

// ---------------------------------------------------------------- helpers

function isoDate(daysFromToday) {
  const day = new Date(Date.now() + daysFromToday * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function check(name, ok, detail = '') {
  report.checks.push({ name, ok: Boolean(ok), detail });
}

/** Run axe on the page and record the result as one visited page. */
async function audit(page, journey, name, options) {
  report.pages.push(await pageReport(page, { journey: journey.name, name }, options));
  if (SCREENSHOTS) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = `${String(report.pages.length).padStart(3, '0')}-${journey.name}-${name}.png`;
    await page.screenshot({ path: join(SCREENSHOTS, file.replace(/[^\w.-]+/g, '_')), fullPage: true });
  }
}

async function newJourney(browser, name, form, locale, options = {}) {
  const { context, page } = await openPage(browser, WAIT_MS, options);
  const journey = { name, form, locale, mode: null, reference: null, confirmed: false, error: null };
  report.journeys.push(journey);
  return { context, page, journey };
}

function stepButton(page) {
  return page.locator('form.amtsweg-step .amtsweg-step__actions button[value="continue"]');
}

async function continueStep(page) {
  await loads(page, () => stepButton(page).click());
}

/** Tenant start page → (language switch) → form start page → apply → development login. */
async function startForm(page, journey, { audits = true } = {}) {
  await page.goto(tenantUrl);
  await audit(page, journey, 'tenant-start', { axe: audits });
  if (journey.locale === 'en') {
    await loads(page, () => page.locator('header a[hreflang="en"]').click());
    await audit(page, journey, 'tenant-start-en', { axe: audits });
  }
  await loads(page, () => page.locator(`main a[href$="/forms/${journey.form}/"]`).click());
  await audit(page, journey, 'form-start', { axe: audits });
  await loads(page, () => page.locator(`main a[href$="/forms/${journey.form}/apply"]`).click());
  if (page.url().includes('/dev-idp/')) {
    await audit(page, journey, 'login', { axe: audits });
    await page.locator('#persona-erika').check();
    await loads(page, () => page.locator('main form button[type="submit"]').click());
  }
  if (!page.url().includes('/steps/')) throw new Error(`expected the first step, got ${page.url()}`);
}

/** An empty "continue" on the first step: the page shows the error summary. */
async function emptySubmit(page, journey) {
  await continueStep(page);
  const summary = await page.locator('.amtsweg-error-summary').count();
  if (!summary) throw new Error(`no error summary after an empty submit on ${page.url()}`);
  await audit(page, journey, 'step-errors');
}

/** Summary → submit without the declaration (errors) → with it → confirmation → my applications. */
async function finish(page, journey, { audits = true } = {}) {
  if (!page.url().endsWith('/summary')) throw new Error(`expected the summary, got ${page.url()}`);
  await audit(page, journey, 'summary', { axe: audits });
  const submit = page.locator('main form:has(#declaration) button[type="submit"]');
  if (audits) {
    await loads(page, () => submit.click());
    await audit(page, journey, 'summary-errors');
  }
  await page.locator('#declaration').check();
  await loads(page, () => submit.click());
  await confirmation(page, journey, { audits });
  await loads(page, () => page.locator('main a[href$="/applications/"]').click());
  await audit(page, journey, 'my-applications', { axe: audits });
  const listed = await page.locator('main table').innerText();
  if (!listed.includes(journey.reference)) throw new Error('my applications does not list the reference');
}

async function confirmation(page, journey, { audits = true } = {}) {
  if (page.url().endsWith('/pay')) {
    // A fee due online: the application is saved and the citizen is offered to pay
    // (tests/browser/payment.mjs pays); here we go on to the application's status page.
    await audit(page, journey, 'pay', { axe: audits });
    await page.goto(page.url().slice(0, -'/pay'.length));
  }
  if (!page.url().includes('/submissions/')) throw new Error(`expected the confirmation, got ${page.url()}`);
  await audit(page, journey, 'confirmation', { axe: audits });
  const found = (await page.locator('main [role="status"] strong').innerText()).match(REFERENCE);
  journey.reference = found ? found[0] : null;
  journey.confirmed = Boolean(found) && page.url().endsWith(`/submissions/${found[0]}`);
}

async function step(page, journey, name) {
  if (!page.url().includes(`/steps/${name}`)) throw new Error(`expected step ${name}, got ${page.url()}`);
  await audit(page, journey, `step-${name}`);
}

// ---------------------------------------------------------------- the forms, with a mouse

async function fundsache(page, journey, { audits = true } = {}) {
  await startForm(page, journey, { audits });
  if (audits) {
    await step(page, journey, 'gegenstand');
    await emptySubmit(page, journey);
  }
  await page.selectOption('#kategorie', 'schluessel');
  await page.fill('#beschreibung', 'Schlüsselbund mit drei Schlüsseln und rotem Anhänger');
  await page.fill('#verlustdatum', isoDate(-3));
  await page.fill('#verlustort', 'Spielplatz am Rathausplatz');
  await continueStep(page);
  if (audits) await step(page, journey, 'kontakt');
  await page.fill('#name', 'Erika Mustermann');
  await page.fill('#email', 'erika.mustermann@example.org');
  await page.fill('#telefon', '0221 1234567');
  await continueStep(page);
  await finish(page, journey, { audits });
}

async function hundesteuer(page, journey) {
  await startForm(page, journey);
  await step(page, journey, 'halter'); // prefilled from the login
  await page.fill('#telefon', '0221 1234567');
  await continueStep(page);

  await step(page, journey, 'hunde');
  await emptySubmit(page, journey);
  const dog = async (index, name, breed, born, chip, dangerous = 'no') => {
    await page.fill(`#hunde-${index}-name`, name);
    await page.selectOption(`#hunde-${index}-rasse`, breed);
    await page.fill(`#hunde-${index}-geburtsdatum`, born);
    await page.fill(`#hunde-${index}-gehalten_seit`, isoDate(-30));
    await page.check(`input[name="hunde-${index}-gefaehrlich"][value="${dangerous}"]`);
    await page.fill(`#hunde-${index}-chipnummer`, chip);
  };
  await dog(0, 'Bello', 'labrador', '2021-04-03', '276098106548231');
  await loads(page, () => page.locator('#hunde-add').click());
  await audit(page, journey, 'step-hunde-two-dogs');
  if ((await page.inputValue('#hunde-0-name')) !== 'Bello') throw new Error('adding a dog lost the first');
  // The second dog is a dangerous one: its permit is a file inside the group's item.
  await dog(1, 'Luna', 'dackel', '2023-09-15', '276098106548232', 'yes');
  await loads(page, () => page.locator('button[value="refresh"]').click());
  const permit = (name) => ({ name, mimeType: 'application/pdf', buffer: PERMIT_PDF });
  await page.setInputFiles('#hunde-1-erlaubnis', permit('Falsche-Datei.pdf'));
  await loads(page, () => page.locator('button[value="refresh"]').click());
  await audit(page, journey, 'step-hunde-permit-uploaded');
  // Replaced without JavaScript: tick "remove" for the wrong file, choose the right one.
  await page.check('input[name="hunde-1-erlaubnis-remove"]');
  await page.setInputFiles('#hunde-1-erlaubnis', permit('Erlaubnis-Luna.pdf'));
  await continueStep(page);

  await step(page, journey, 'zahlung');
  await page.check('input[name="lastschrift"][value="yes"]');
  await loads(page, () => page.locator('button[value="refresh"]').click());
  await audit(page, journey, 'step-zahlung-mandate');
  await page.fill('#kontoinhaber', 'Erika Mustermann');
  await page.fill('#iban', 'DE02 1203 0000 0000 2020 51');
  await page.check('#bestaetigung');
  await continueStep(page);
  const summary = await page.locator('main').innerText();
  check(
    `${journey.name}: the permit replaced the wrong file`,
    summary.includes('Erlaubnis-Luna.pdf') && !summary.includes('Falsche-Datei.pdf'),
    page.url(),
  );
  await finish(page, journey);
}

async function gewerbeanmeldung(page, journey) {
  await startForm(page, journey);
  await step(page, journey, 'inhaber');
  await emptySubmit(page, journey);
  await page.fill('#geburtsort', 'Köln, Deutschland');
  await page.selectOption('#staatsangehoerigkeit', 'DE');
  await continueStep(page);

  await step(page, journey, 'betrieb');
  await page.selectOption('#rechtsform', 'einzelunternehmen');
  await page.fill('#geschaeftsbezeichnung', 'Mustermann Nähstube');
  await page.fill('#betriebsstaette-street', 'Marktstraße');
  await page.fill('#betriebsstaette-house_number', '5a');
  await page.fill('#betriebsstaette-zip', '12345');
  await page.fill('#betriebsstaette-city', 'Musterstadt');
  await page.check('input[name="betrieb_art"][value="handel"]');
  await page.check('input[name="anlass"][value="neugruendung"]');
  await continueStep(page);

  await step(page, journey, 'taetigkeit');
  await page.fill('#taetigkeiten-0-beschreibung', 'Einzelhandel mit Stoffen, Kurzwaren und Nähzubehör');
  await page.check('input[name="taetigkeiten-0-nebenerwerb"][value="no"]');
  await page.fill('#beginn', isoDate(14));
  await page.fill('#vollzeit', '0');
  await page.fill('#teilzeit', '1');
  await continueStep(page);

  await step(page, journey, 'erlaubnis');
  await page.check('input[name="erlaubnis_noetig"][value="no"]');
  await continueStep(page);

  await step(page, journey, 'abschluss');
  await page.check('#richtigkeit');
  await continueStep(page);
  await finish(page, journey);
}

// ---------------------------------------------------------------- the keyboard-only journey

/** What has the focus now: enough to find an element and to see whether its focus is visible. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute('name') || '',
      type: el.getAttribute('type') || '',
      value: el.value ?? '',
      href: el.getAttribute('href') || '',
      classes: el.className || '',
      text: (el.innerText || '').trim().slice(0, 60),
      inMain: Boolean(el.closest('main')),
      declares: Boolean(el.form && el.form.querySelector('#declaration')),
      // Focus inside a control's own parts (a date field's calendar button) is drawn by the browser.
      visibleFocus: Boolean(outline || shadow) || !el.matches(':focus'),
    };
  });
}

const focusProblems = new Map();

/** Press Tab (or Shift+Tab) until ``wanted`` matches the focused element; at most ``limit`` times. */
async function tabTo(page, wanted, { back = false, limit = 60 } = {}) {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (now && !now.visibleFocus) {
      focusProblems.set(`${now.tag}#${now.id || now.name || now.href || now.text}`, page.url());
    }
    if (now && wanted(now)) return now;
  }
  throw new Error(`keyboard: nothing matched after ${limit} presses of Tab on ${page.url()}`);
}

const byId = (id) => (el) => el.id === id;

/**
 * The order in which this Chromium's date fields take day, month and year: it follows the
 * browser's own UI language (Debian's package without chromium-l10n has only en-US), not the
 * page's. Found once by typing into a scratch page, so the journey types as a person would.
 */
async function dateOrder(browser) {
  const page = await browser.newPage();
  try {
    await page.setContent('<input type="date" id="probe">');
    await page.focus('#probe');
    await page.keyboard.type('01022003');
    const value = await page.inputValue('#probe');
    if (value === '2003-02-01') return ['day', 'month', 'year'];
    if (value === '2003-01-02') return ['month', 'day', 'year'];
    throw new Error(`unknown date field order: typing 01022003 gave ${value}`);
  } finally {
    await page.close();
  }
}
let DATE_ORDER = ['day', 'month', 'year'];

async function typeDate(page, iso) {
  const [year, month, day] = iso.split('-');
  const parts = { day, month, year };
  await page.keyboard.type(DATE_ORDER.map((part) => parts[part]).join(''));
}

async function keyboardFundsache(page, journey) {
  await page.goto(tenantUrl);
  await audit(page, journey, 'tenant-start');
  const skip = await tabTo(page, () => true, { limit: 1 });
  check('the skip link is the first focusable element', skip.classes.includes('amtsweg-skip-link'), JSON.stringify(skip));
  check('the skip link shows its focus', skip.visibleFocus);
  await page.keyboard.press('Enter');
  const afterSkip = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check('the skip link moves the focus to the main content', afterSkip === 'main', String(afterSkip));
  await tabTo(page, (el) => el.href.endsWith('/forms/fundsache-verlustmeldung/'));
  await loads(page, () => page.keyboard.press('Enter'));
  await audit(page, journey, 'form-start');
  await tabTo(page, (el) => el.href.endsWith('/apply'));
  await loads(page, () => page.keyboard.press('Enter'));
  await audit(page, journey, 'login');
  const persona = await tabTo(page, (el) => el.name === 'persona');
  check('the first test person is Erika and chosen', persona.value === 'erika', persona.value);
  await tabTo(page, (el) => el.tag === 'button' && el.inMain);
  await loads(page, () => page.keyboard.press('Enter'));
  await step(page, journey, 'gegenstand');

  // An empty submit; then the error summary's first link takes the focus to its field.
  await tabTo(page, (el) => el.tag === 'button' && el.value === 'continue');
  await loads(page, () => page.keyboard.press('Enter'));
  await audit(page, journey, 'step-errors');
  const first = await tabTo(page, (el) => el.href.startsWith('#'));
  await page.keyboard.press('Enter');
  const target = await focused(page);
  check('an error summary link moves the focus to its field', target && `#${target.id}` === first.href, `${first.href} → ${target && target.id}`);

  if (!target || target.id !== 'kategorie') await tabTo(page, byId('kategorie'), { back: true });
  await page.keyboard.type('Schlüssel');
  const kategorie = await page.evaluate(() => document.getElementById('kategorie').value);
  if (kategorie !== 'schluessel') throw new Error(`typing into the select chose ${kategorie}`);
  await tabTo(page, byId('beschreibung'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Schlüsselbund mit drei Schlüsseln und rotem Anhänger');
  await tabTo(page, byId('verlustdatum'));
  await typeDate(page, isoDate(-3));
  const typed = await page.evaluate(() => document.getElementById('verlustdatum').value);
  if (typed !== isoDate(-3)) throw new Error(`typing the date gave ${typed}`);
  await tabTo(page, byId('verlustort'));
  await page.keyboard.type('Spielplatz am Rathausplatz');
  await loads(page, () => page.keyboard.press('Enter')); // Enter in a text box means "continue"

  await step(page, journey, 'kontakt');
  await tabTo(page, byId('name'));
  await page.keyboard.type('Erika Mustermann');
  await tabTo(page, byId('email'));
  await page.keyboard.type('erika.mustermann@example.org');
  await tabTo(page, (el) => el.tag === 'button' && el.value === 'continue');
  await loads(page, () => page.keyboard.press('Enter'));

  if (!page.url().endsWith('/summary')) throw new Error(`expected the summary, got ${page.url()}`);
  await audit(page, journey, 'summary');
  const submits = (el) => el.tag === 'button' && el.type === 'submit' && el.declares;
  await tabTo(page, submits);
  await tabTo(page, byId('declaration'), { back: true, limit: 3 });
  await page.keyboard.press('Space');
  await tabTo(page, submits, { limit: 3 });
  await loads(page, () => page.keyboard.press('Enter'));
  await confirmation(page, journey);

  await tabTo(page, (el) => el.inMain && el.href.endsWith('/applications/'));
  await loads(page, () => page.keyboard.press('Enter'));
  await audit(page, journey, 'my-applications');
  check(
    'every element reached with Tab shows its focus',
    focusProblems.size === 0,
    JSON.stringify(Object.fromEntries(focusProblems)),
  );
}

// ---------------------------------------------------------------- run

async function walk(browser, name, form, locale, walker, { mode = 'mouse', ...options } = {}) {
  const { context, page, journey } = await newJourney(browser, name, form, locale, options);
  journey.mode = mode;
  try {
    await walker(page, journey);
  } catch (error) {
    journey.error = `${error.message.split('\n')[0]} (at ${page.url()})`;
    if (SCREENSHOTS) {
      const path = join(SCREENSHOTS, `failed-${name}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
    }
  } finally {
    await context.close();
  }
}

walkAndReport(
  report,
  async (browser) => {
    DATE_ORDER = await dateOrder(browser);
    await walk(browser, 'fundsache-de-keyboard', 'fundsache-verlustmeldung', 'de', keyboardFundsache, {
      mode: 'keyboard',
    });
    await walk(browser, 'fundsache-en', 'fundsache-verlustmeldung', 'en', fundsache);
    for (const locale of ['de', 'en']) {
      await walk(browser, `hundesteuer-${locale}`, 'hundesteuer-anmeldung', locale, hundesteuer);
      await walk(browser, `gewerbeanmeldung-${locale}`, 'gewerbeanmeldung', locale, gewerbeanmeldung);
    }
    // Without JavaScript: axe cannot run in such a page (evaluating it there closes the page),
    // and the same pages are checked above with JavaScript on.
    const withoutAxe = (page, journey) => fundsache(page, journey, { audits: false });
    await walk(browser, 'fundsache-de-no-js', 'fundsache-verlustmeldung', 'de', withoutAxe, {
      mode: 'no-js',
      javaScriptEnabled: false,
    });
  },
  { seconds: 210, what: 'the journeys' },
);
