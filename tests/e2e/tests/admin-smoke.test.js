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
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
  test('every main page fits a phone and a desktop screen, and passes axe at both', { timeout: 300000 }, async (t) => {
    const admin = server.orgUrl(ORG);
    // Signed in once; the same session is used at both widths.
    const signIn = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
      '/dashboard', '/tickets', '/issues', '/work-orders', '/invoices', '/contacts', '/contractors',
      '/sites', '/notices', '/audit',
      await firstHref('/tickets', '/tickets/'),
      await firstHref('/work-orders', '/work-orders/'),
      await firstHref('/invoices', '/units/'),
    ];
    await signIn.close();
    await mkdir(resultsDir, { recursive: true });
    for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: label === 'phone' ? 2 : 1 });
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
        const name = pathname.replace(/^\//, '').replace(/\/[0-9a-f-]{36}$/, '-record').replace(/\//g, '-') || 'home';
        await view.screenshot({ path: path.join(resultsDir, `${label}-${name}.png`), fullPage: true });
      }
      t.diagnostic(`${pages.length} pages fit ${viewport.width}px (${label})`);
      await context.close();
    }
  });
});
