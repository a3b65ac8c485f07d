// Smoke test of the admin app in a real browser: sign in with an emailed code,
// open the tickets list and a ticket with its audit trail, sign out. Every page
// on the way is checked with axe (WCAG 2.2 AA).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { launchBrowser } from '../lib/browser.js';
import { assertNoA11yViolations } from '../lib/a11y.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');

const ORG = 'acme';
const STAFF_EMAIL = 'mark.manager@acme.example';

/** Wait until the page is at `pathname` (exact match), after any redirects. */
async function waitForPath(page, pathname, timeout = 30000) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout });
}

async function h1Text(page) {
  const h1 = page.locator('h1').first();
  await h1.waitFor({ state: 'visible' });
  return (await h1.innerText()).replace(/\s+/g, ' ').trim();
}

describe('admin app smoke', () => {
  let smtp;
  let server;
  let browser;
  let context;
  let page;
  const pageErrors = [];

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000 });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.setDefaultNavigationTimeout(30000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, { timeout: 180000 });

  after(async () => {
    if (context) await context.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  test('sign in, open a ticket with its audit trail, sign out', { timeout: 180000 }, async (t) => {
    const admin = server.orgUrl(ORG);
    try {
      // Signed out: / sends us to the sign-in page.
      await page.goto(`${admin}/`);
      await waitForPath(page, '/sign-in');
      await assertNoA11yViolations(page, 'sign-in page');

      await page.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await page.getByRole('button', { name: 'Send code', exact: true }).click();
      await waitForPath(page, '/sign-in/code');
      await assertNoA11yViolations(page, 'sign-in code page');

      const code = await smtp.waitForCode(STAFF_EMAIL, 20000);
      assert.match(code, /^\d{6}$/);
      t.diagnostic(`sign-in code received for ${STAFF_EMAIL}`);

      await page.getByLabel('Code', { exact: true }).fill(code);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(page, '/dashboard');
      assert.match(await h1Text(page), /Dashboard/);
      await assertNoA11yViolations(page, 'dashboard');

      // Tickets list from the main navigation.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Tickets', exact: true })
        .click();
      await waitForPath(page, '/tickets');
      await assertNoA11yViolations(page, 'tickets list');

      const firstLink = page.locator('table tbody tr').first().locator('td, th').first().getByRole('link');
      await firstLink.waitFor({ state: 'visible' });
      const reference = (await firstLink.innerText()).trim();
      assert.match(reference, /^[A-Z]+-\d{4}-\d+$/, `unexpected ticket reference "${reference}"`);
      t.diagnostic(`opening ticket ${reference}`);

      // One ticket, with its audit trail.
      await firstLink.click();
      await page.waitForURL((url) => url.pathname.startsWith('/tickets/'));
      assert.ok(
        (await h1Text(page)).includes(reference),
        `ticket page h1 should contain ${reference}, got "${await h1Text(page)}"`,
      );

      const audit = page.locator('section[aria-labelledby="audit-heading"]');
      await audit.waitFor({ state: 'visible' });
      assert.equal((await audit.locator('h2#audit-heading').innerText()).trim(), 'Audit trail');
      const entries = audit.locator('ol > li');
      const count = await entries.count();
      assert.ok(count >= 1, `audit trail should have at least one entry, has ${count}`);
      t.diagnostic(`audit trail: ${count} entr${count === 1 ? 'y' : 'ies'}; first: ${(await entries.first().innerText()).replace(/\s+/g, ' ').trim()}`);
      await assertNoA11yViolations(page, `ticket ${reference}`);

      await mkdir(resultsDir, { recursive: true });
      await page.screenshot({ path: path.join(resultsDir, 'ticket.png'), fullPage: true });

      // Sign out: back at the sign-in page, and the session is gone.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await waitForPath(page, '/sign-in');
      await page.getByLabel('Email address', { exact: true }).waitFor({ state: 'visible' });

      await page.goto(`${admin}/dashboard`);
      await waitForPath(page, '/sign-in');

      assert.deepEqual(pageErrors, [], 'uncaught script errors in the page');
    } catch (err) {
      // Leave evidence for whoever reads the failure.
      await mkdir(resultsDir, { recursive: true }).catch(() => {});
      await page.screenshot({ path: path.join(resultsDir, 'failure.png'), fullPage: true }).catch(() => {});
      const html = await page.content().catch(() => '');
      await writeFile(path.join(resultsDir, 'failure.html'), html).catch(() => {});
      await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
      t.diagnostic(`failed at ${page.url()}; see tests/e2e/test-results/ (failure.png, failure.html, server.log)`);
      throw err;
    }
  });
  test('a manager works a ticket: a reply sent back empty, then reply, note, triage, assignment, status and a work order', { timeout: 180000 }, async (t) => {
    const admin = server.orgUrl(ORG);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    try {
      await p.goto(`${admin}/sign-in`);
      await p.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await p.getByRole('button', { name: 'Send code', exact: true }).click();
      await waitForPath(p, '/sign-in/code');
      await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(STAFF_EMAIL, 20000));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPath(p, '/dashboard');
      // An open ticket, from the queue filtered to open ones.
      await p.goto(`${admin}/tickets?status=open`);
      await p.locator('table tbody tr a[href^="/tickets/"]').first().click();
      await p.waitForURL((url) => /^\/tickets\/[0-9a-f-]{36}$/.test(url.pathname));
      const ticketPath = new URL(p.url()).pathname;
      t.diagnostic(`working ${await h1Text(p)}`);

      // Sent empty: the summary at the top links to the field, the message sits by it.
      await p.getByRole('button', { name: 'Send reply', exact: true }).click();
      const summary = p.getByRole('alert');
      await summary.waitFor({ state: 'visible' });
      assert.match(await summary.innerText(), /Enter a message/i);
      await assertNoA11yViolations(p, 'ticket with a form sent back');
      await mkdir(resultsDir, { recursive: true });
      await p.screenshot({ path: path.join(resultsDir, 'ticket-error.png'), fullPage: true });
      await summary.getByRole('link').first().click();
      assert.equal(await p.evaluate(() => document.activeElement?.id), 'reply-body');

      const reply = 'A plumber is booked for Tuesday morning; we will confirm the time the day before.';
      await p.getByLabel('Message', { exact: true }).fill(reply);
      await p.getByRole('button', { name: 'Send reply', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'Your reply was added' }).waitFor();
      assert.ok(await p.locator('ol.thread li', { hasText: reply }).count() === 1);

      const note = 'Resident works nights: mornings after 10 are best.';
      await p.getByLabel('Note', { exact: true }).fill(note);
      await p.getByRole('button', { name: 'Add internal note', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'internal note was added' }).waitFor();
      assert.match(await p.locator('ol.thread li.note', { hasText: note }).innerText(), /internal note/);

      await p.locator('section[aria-labelledby="triage-heading"]').getByLabel('Priority', { exact: true }).selectOption('urgent');
      await p.getByRole('button', { name: 'Save triage', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'triaged' }).waitFor();

      const people = p.getByLabel('Assigned to', { exact: true });
      const someone = await people.locator('option').nth(1).getAttribute('value');
      assert.ok(someone, 'someone to assign the request to');
      await people.selectOption(someone);
      await p.getByRole('button', { name: 'Assign', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'assignee was changed' }).waitFor();

      await p.getByLabel('Move to', { exact: true }).selectOption('in_progress');
      await p.getByRole('button', { name: 'Change status', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'status was changed' }).waitFor();
      assert.equal(new URL(p.url()).pathname, ticketPath);

      const trail = await p.locator('section[aria-labelledby="audit-heading"]').innerText();
      for (const done of ['replied on', 'added an internal note', 'triaged', 'assigned', 'moved']) {
        assert.ok(trail.includes(done), `the audit trail records "${done}"`);
      }
      assert.ok(trail.includes('via the admin app'), 'through the admin app');
      await assertNoA11yViolations(p, 'ticket after its actions');
      await p.screenshot({ path: path.join(resultsDir, 'ticket-worked.png'), fullPage: true });
      await p.setViewportSize({ width: 390, height: 844 });
      await p.screenshot({ path: path.join(resultsDir, 'phone-ticket-worked.png'), fullPage: true });
      await p.setViewportSize({ width: 1280, height: 900 });

      // A work order from the request: the contractors to invite are offered next.
      const workOrder = p.locator('section[aria-labelledby="work-order-heading"]');
      await workOrder.getByLabel('Scope of works', { exact: true }).fill('Replace the bin store door closer and check the hinges.');
      await workOrder.getByLabel('Trade', { exact: true }).selectOption('general');
      await p.getByRole('button', { name: 'Create work order', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'work order was created' }).waitFor();
      assert.match(new URL(p.url()).pathname, /^\/work-orders\/[0-9a-f-]{36}$/);
      assert.ok(await p.getByLabel('Contractor', { exact: true }).locator('option').count() > 1, 'contractors to invite');
      await assertNoA11yViolations(p, 'work order with its forms');
      await p.screenshot({ path: path.join(resultsDir, 'work-order-created.png'), fullPage: true });
      assert.deepEqual(pageErrors, [], 'uncaught script errors in the page');
    } catch (err) {
      await mkdir(resultsDir, { recursive: true }).catch(() => {});
      await p.screenshot({ path: path.join(resultsDir, 'failure-ticket.png'), fullPage: true }).catch(() => {});
      await writeFile(path.join(resultsDir, 'failure-ticket.html'), await p.content().catch(() => '')).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  });

  test('every main page fits a phone and a desktop screen, and passes axe at both', { timeout: 300000 }, async (t) => {
    const admin = server.orgUrl(ORG);
    // Signed in once; the same session is used at both widths.
    const signIn = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const p = await signIn.newPage();
    await p.goto(`${admin}/sign-in`);
    await p.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
    await p.getByRole('button', { name: 'Send code', exact: true }).click();
    await waitForPath(p, '/sign-in/code');
    const code = await smtp.waitForCode(STAFF_EMAIL, 20000);
    await p.getByLabel('Code', { exact: true }).fill(code);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPath(p, '/dashboard');
    const cookies = await signIn.cookies();
    // A record of each kind, found from its list.
    const firstHref = async (list, prefix) => {
      await p.goto(`${admin}${list}`);
      const href = await p.locator(`a[href^="${prefix}"]`).first().getAttribute('href');
      assert.ok(href, `no link to ${prefix} on ${list}`);
      return href;
    };
    const pages = [
      '/dashboard', '/tickets', '/issues', '/work-orders', '/invoices', '/arrears', '/contacts',
      '/contractors', '/sites', '/notices', '/documents', '/staff', '/settings', '/audit',
      '/communications', '/issues/new', '/work-orders/new', '/notices/new', '/documents/new',
      '/contractors/new', '/sites/new',
      await firstHref('/tickets', '/tickets/'),
      await firstHref('/issues?status=open', '/issues/'),
      await firstHref('/work-orders', '/work-orders/'),
      await firstHref('/invoices', '/units/'),
      await firstHref('/invoices', '/invoices/'),
      await firstHref('/arrears', '/units/'),
      await firstHref('/contractors', '/contractors/0'),
      await firstHref('/contacts', '/contacts/'),
      await firstHref('/documents', '/documents/0'),
      await firstHref('/notices', '/notices/0'),
      await firstHref('/staff', '/staff/'),
    ];
    await signIn.close();
    await mkdir(resultsDir, { recursive: true });
    for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: label === 'phone' ? 2 : 1, locale: 'en-GB' });
      await context.addCookies(cookies);
      const view = await context.newPage();
      for (const pathname of pages) {
        await view.goto(`${admin}${pathname}`);
        await view.locator('h1').first().waitFor({ state: 'visible' });
        const { scrollWidth, innerWidth } = await view.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        assert.ok(
          scrollWidth <= innerWidth,
          `${pathname} is ${scrollWidth}px wide on a ${innerWidth}px ${label} screen`,
        );
        await assertNoA11yViolations(view, `${pathname} (${label})`);
        const name = pathname.replace(/^\//, '').replace(/\/[0-9a-f-]{36}/, '-record').replace(/\//g, '-') || 'home';
        await view.screenshot({ path: path.join(resultsDir, `${label}-${name}.png`), fullPage: true });
      }
      t.diagnostic(`${pages.length} pages fit ${viewport.width}px (${label})`);
      await context.close();
    }
  });
});
