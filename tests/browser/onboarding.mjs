// Onboards a new municipality through the admin pages in Debian's Chromium, axe on every page.
//
//   node tests/browser/onboarding.mjs BASE_URL association
//   node tests/browser/onboarding.mjs BASE_URL tenant INVITATION_LINK WEBSITE_URL COAT_OF_ARMS.png
//   node tests/browser/onboarding.mjs BASE_URL clerk INVITATION_LINK REFERENCE
//
// "association": the association admin creates Gemeinde Kleinheim (first with an invalid
// Amtlicher Gemeindeschlüssel) and invites its admin; the mail is read by the Python test.
// It also checks and imports an XDatenfelder file, imports it again with a bad address, tries
// to replace the draft with that XML file instead of JSON, and discards the draft.
// "tenant": the invited person logs in from the link, works through the checklist (an imprint
// that does not answer first, a test delivery, a sandbox test payment), offers a form and goes
// live; then a citizen applies. "clerk": the clerk invited on the people page logs in from
// their invitation and finds the citizen's submission.
// Every admin page is checked with axe (WCAG 2.1 A/AA) in German and in English. Prints one
// JSON report on stdout: pages (with violations), steps (what happened), reference.

import { loads, openPage, pageReport, walkAndReport } from './common.mjs';

const WAIT_MS = 15_000;
const REFERENCE = /[A-Z]{3,8}-\d{4}-\d{6}/;
const XDF_SCHEMA = new URL('../formdefs/xdf/hundesteuer-xdf2.xml', import.meta.url).pathname;

const [base, phase, invitation, website, coatOfArms] = process.argv.slice(2);
const submitted = phase === 'clerk' ? process.argv[5] : null;
const tenantAdmin = `${base}/t/kleinheim/admin`;
const report = { pages: [], steps: [], reference: null };

function step(name, ok, detail = '') {
  report.steps.push({ name, ok: Boolean(ok), detail });
  if (!ok) throw new Error(`${name}: ${detail}`);
}

async function audit(page, name) {
  report.pages.push(await pageReport(page, { name }));
}

async function visit(page, url, name) {
  await page.goto(url);
  await audit(page, name);
}

async function logIn(page, persona) {
  if (!page.url().includes('/dev-idp/')) throw new Error(`expected the login, got ${page.url()}`);
  await page.locator(`#persona-${persona}`).check();
  await loads(page, () => page.locator('main form button[type="submit"]').click());
}

/** Opens the invitation link, logs in as ``persona``, checks the page (``asked``) and accepts. */
async function acceptInvitation(page, persona, asked, name) {
  await page.goto(invitation);
  await logIn(page, persona);
  step(asked, page.url().includes('/invitation/'), page.url());
  await audit(page, name);
  await submit(page);
}

async function submit(page, form = 'main form[method="post"]') {
  await loads(page, () => page.locator(`${form} button[type="submit"]`).first().click());
}

async function toEnglish(page) {
  await loads(page, () => page.locator('header a[hreflang="en"]').click());
}

async function mainText(page) {
  return page.locator('main').innerText();
}

// ---------------------------------------------------------------- the association

async function association(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  await page.goto(`${base}/admin/tenants/`);
  await logIn(page, 'association-admin');
  step('the association admin sees the overview', page.url().endsWith('/admin/tenants/'), page.url());
  await audit(page, 'overview-de');
  await loads(page, () => page.locator('main a[href$="/admin/tenants/new"]').click());
  await audit(page, 'create-de');

  await page.fill('#field-name', 'Gemeinde Kleinheim');
  await page.fill('#field-slug', 'kleinheim');
  await page.selectOption('#field-state', '05');
  await page.fill('#field-municipality_key', '17315000');
  await page.fill('#field-contact_email', 'rathaus@kleinheim.example');
  await submit(page);
  const refused = await mainText(page);
  step('an invalid key is refused with what to do', refused.includes('17 ist kein Land'), refused);
  await audit(page, 'create-errors-de');

  await page.fill('#field-municipality_key', '05315000');
  await submit(page);
  step('the tenant is created', page.url().endsWith('/admin/tenants/kleinheim/'), page.url());
  await audit(page, 'tenant-de');
  await page.fill('#field-email', 'buergermeisterin@kleinheim.example');
  await submit(page, 'main form[action$="/invitations"]');
  step('the invitation is sent', (await mainText(page)).includes('buergermeisterin@kleinheim.example'));
  await audit(page, 'tenant-invited-de');

  await visit(page, `${base}/admin/formdefs/import`, 'xdf-import-de');
  await page.setInputFiles('#field-file', XDF_SCHEMA);
  await loads(page, () => page.locator('main button[value="check"]').click());
  const report = await mainText(page);
  step('the XDatenfelder report is in German', report.includes('Nicht unterstützt (nicht oder vereinfacht importiert) (5)'), report);
  await audit(page, 'xdf-report-de');
  await page.setInputFiles('#field-file', XDF_SCHEMA);
  await loads(page, () => page.locator('main button[value="import"]').click());
  const imported = await mainText(page);
  step('the import makes a draft', imported.includes('anmeldung-hundesteuer, Version 1, als Entwurf'), imported);
  await audit(page, 'xdf-imported-de');
  await visit(page, `${base}/admin/formdefs/anmeldung-hundesteuer/versions/1/replace`, 'replace-de');
  await visit(page, `${base}/admin/formdefs/anmeldung-hundesteuer/versions/1/discard`, 'discard-de');

  await toEnglish(page);
  await audit(page, 'tenant-en');
  await visit(page, `${base}/admin/tenants/`, 'overview-en');
  await visit(page, `${base}/admin/tenants/?q=klein`, 'overview-search-en');
  step('the search finds the new tenant', (await mainText(page)).includes('Gemeinde Kleinheim'));
  await visit(page, `${base}/admin/tenants/new`, 'create-en');
  await page.fill('#field-municipality_key', '0531');
  await submit(page);
  await audit(page, 'create-errors-en');
  await visit(page, `${base}/admin/formdefs/`, 'formdefs-en');
  await visit(page, `${base}/admin/formdefs/import`, 'xdf-import-en');
  await page.setInputFiles('#field-file', XDF_SCHEMA);
  await page.fill('#field-slug', 'Hundesteuer 2027');
  await loads(page, () => page.locator('main button[value="import"]').click());
  const badSlug = await mainText(page);
  step('a bad web address for the form is refused', badSlug.includes("'Hundesteuer 2027' is not a valid slug"), badSlug);
  await audit(page, 'xdf-errors-en');
  await visit(page, `${base}/admin/formdefs/anmeldung-hundesteuer/versions/1/replace`, 'replace-en');
  await page.setInputFiles('#field-document', XDF_SCHEMA);
  await submit(page);
  const notJson = await mainText(page);
  step('an XML file is refused as a draft', notJson.includes('The file is not JSON'), notJson);
  await audit(page, 'replace-errors-en');
  await visit(page, `${base}/admin/formdefs/anmeldung-hundesteuer/versions/1/discard`, 'discard-en');
  await submit(page);
  const discarded = await mainText(page);
  step('the draft is discarded', discarded.includes('The draft is discarded, and with it the form anmeldung-hundesteuer.'), discarded);
  await audit(page, 'formdefs-discarded-en');
  await context.close();
}

// ---------------------------------------------------------------- the tenant admin

async function tenant(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  await acceptInvitation(page, 'max', 'the link asks to accept', 'invitation-de');
  step('the invited person reaches the checklist', page.url().endsWith('/t/kleinheim/admin/'), page.url());
  await audit(page, 'checklist-de');
  step('the tenant is a preview', (await page.locator('.amtsweg-preview-banner').count()) === 1);
  await submit(page, 'main form[action$="/go-live"]');
  step('going live is refused while items are missing', (await mainText(page)).includes('kann noch nicht live gehen'));
  await audit(page, 'checklist-refused-de');

  await visit(page, `${tenantAdmin}/branding`, 'branding-de');
  await page.setInputFiles('#field-coat_of_arms', coatOfArms);
  await page.fill('#field-colour', '#1f4e79');
  await page.fill('#field-imprint_url', `${website}/gibt-es-nicht`);
  await page.fill('#field-privacy_url', `${website}/datenschutz`);
  await submit(page);
  await audit(page, 'branding-saved-de');
  await visit(page, `${tenantAdmin}/`, 'checklist-imprint-de');
  const imprint = await mainText(page);
  step('an imprint that does not answer is named', imprint.includes('antwortet mit dem Fehler 404'), imprint);
  await page.goto(`${tenantAdmin}/branding`);
  await page.fill('#field-imprint_url', `${website}/impressum`);
  await submit(page);

  await visit(page, `${tenantAdmin}/accessibility`, 'accessibility-de');
  await page.fill('#field-reviewed_on', new Date().toISOString().slice(0, 10));
  await submit(page);
  await visit(page, `${tenantAdmin}/people`, 'people-de');
  await page.fill('#field-email', 'sachbearbeitung@kleinheim.example');
  await submit(page, 'main form[action$="/admin/people"]');
  await audit(page, 'people-invited-de');
  await visit(page, `${tenantAdmin}/forms`, 'forms-de');
  await submit(page, 'main form:has(input[name="definition"][value="fundsache-verlustmeldung"])');
  await audit(page, 'forms-offered-de');

  await visit(page, `${tenantAdmin}/delivery/`, 'delivery-de');
  await page.fill('#new-name', 'ablage');
  await page.selectOption('#new-kind', 'folder');
  await loads(page, () => page.locator('#new-target button[type="submit"]').click());
  await audit(page, 'delivery-target-de');
  await page.locator('#default').check();
  await submit(page);
  await page.goto(`${tenantAdmin}/delivery/`);
  await submit(page, 'main form[action$="/targets/ablage/test"]');
  step('the test delivery arrives', (await mainText(page)).includes('Die Testzustellung an ablage ist angekommen'), await mainText(page));
  await audit(page, 'delivery-tested-de');

  await visit(page, `${tenantAdmin}/payment/`, 'payment-de');
  await page.fill('#sandbox-webhook_secret', 'whsec_kleinheim_sandbox_0123456789');
  await submit(page, 'main form[action$="/admin/payment/sandbox"]');
  await submit(page, 'main form[action$="/admin/payment/sandbox/test-payment"]');
  step('the test payment goes to the sandbox page', page.url().includes('/sandbox-payment/'), page.url());
  await audit(page, 'sandbox-checkout-de');
  await page.fill('#card', '4242 4242 4242 4242');
  await loads(page, () => page.locator('main button[value="pay"]').click());
  step('the sandbox test payment succeeds', (await mainText(page)).includes('Die Testzahlung war erfolgreich'), await mainText(page));
  await audit(page, 'payment-tested-de');

  await visit(page, `${tenantAdmin}/`, 'checklist-ready-de');
  const missing = await page.locator('main .amtsweg-checklist li:not(.amtsweg-checklist__recommended) .kern-icon--danger').count();
  step('every required item of the checklist passes', missing === 0, await mainText(page));
  await submit(page, 'main form[action$="/go-live"]');
  step('the tenant goes live', (await page.locator('.amtsweg-preview-banner').count()) === 0);
  await audit(page, 'checklist-live-de');

  await toEnglish(page);
  for (const [path, name] of [['/', 'checklist'], ['/branding', 'branding'], ['/accessibility', 'accessibility'], ['/people', 'people'], ['/forms', 'forms'], ['/delivery/', 'delivery'], ['/delivery/targets/ablage', 'delivery-target'], ['/payment/', 'payment']]) {
    await visit(page, `${tenantAdmin}${path}`, `${name}-en`);
  }
  await context.close();
  await citizen(browser);
}

// ---------------------------------------------------------------- a citizen applies

async function citizen(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  await page.goto(`${base}/t/kleinheim/`);
  await loads(page, () => page.locator('main a[href$="/forms/fundsache-verlustmeldung/"]').click());
  await loads(page, () => page.locator('main a[href$="/forms/fundsache-verlustmeldung/apply"]').click());
  await logIn(page, 'erika');
  await page.selectOption('#kategorie', 'schluessel');
  await page.fill('#beschreibung', 'Schlüsselbund mit rotem Anhänger');
  await page.fill('#verlustdatum', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
  await page.fill('#verlustort', 'Rathausplatz');
  await loads(page, () => page.locator('form.amtsweg-step .amtsweg-step__actions button[value="continue"]').click());
  await page.fill('#name', 'Erika Mustermann');
  await page.fill('#email', 'erika.mustermann@example.org');
  await loads(page, () => page.locator('form.amtsweg-step .amtsweg-step__actions button[value="continue"]').click());
  await page.locator('#declaration').check();
  await loads(page, () => page.locator('main form:has(#declaration) button[type="submit"]').click());
  const found = (await page.locator('main [role="status"] strong').innerText()).match(REFERENCE);
  report.reference = found ? found[0] : null;
  step('the citizen gets a reference number', Boolean(found), page.url());
  await context.close();
}

// ---------------------------------------------------------------- the new clerk

async function clerk(browser) {
  const { context, page } = await openPage(browser, WAIT_MS);
  await acceptInvitation(page, 'clerk-musterstadt', 'the clerk is asked to accept', 'clerk-invitation-de');
  await visit(page, `${base}/t/kleinheim/clerk/`, 'clerk-list-de');
  step('the clerk sees the submission', (await mainText(page)).includes(submitted), await mainText(page));
  await loads(page, () => page.locator(`main a[href$="/clerk/submissions/${submitted}"]`).first().click());
  step('the clerk opens it', (await mainText(page)).includes('Schlüsselbund mit rotem Anhänger'), await mainText(page));
  await audit(page, 'clerk-submission-de');
  await toEnglish(page);
  await audit(page, 'clerk-submission-en');
  await visit(page, `${base}/t/kleinheim/clerk/`, 'clerk-list-en');
  await context.close();
}

const PHASES = { association, tenant, clerk };

walkAndReport(report, (browser) => PHASES[phase](browser), { seconds: 150, what: 'onboarding' });
