// The back office in a real browser: an accountant raises an invoice, approves it, records a
// payment and sees the statement change, on screen and in its PDF; an owner invites a member
// of staff who then signs in, and changes the brand colour (a colour too light for white text
// is refused with its contrast ratio). Every page visited is checked with axe (WCAG 2.2 AA),
// and the new pages are photographed at phone and desktop widths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { launchBrowser } from '../lib/browser.js';
import { assertNoA11yViolations } from '../lib/a11y.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');
const ORG = 'acme';

async function waitForPath(page, pathname, timeout = 30000) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout });
}

describe('back office', () => {
  let smtp;
  let server;
  let browser;
  const pageErrors = [];

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000 });
    browser = await launchBrowser();
    await mkdir(resultsDir, { recursive: true });
  }, { timeout: 180000 });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  /** A page signed in as `email`, in a context of its own. */
  async function signedIn(email, viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    p.on('pageerror', (err) => pageErrors.push(err.message));
    await p.goto(`${server.orgUrl(ORG)}/sign-in`);
    await p.getByLabel('Email address', { exact: true }).fill(email);
    await p.getByRole('button', { name: 'Send code', exact: true }).click();
    await waitForPath(p, '/sign-in/code');
    await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(email, 20000));
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPath(p, '/dashboard');
    return { context, p };
  }

  /** Saves a screenshot at desktop width, then at phone width, and checks the page fits both. */
  async function photograph(p, name) {
    await p.screenshot({ path: path.join(resultsDir, `${name}.png`), fullPage: true });
    await p.setViewportSize({ width: 390, height: 844 });
    const { scrollWidth, innerWidth } = await p.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${name} is ${scrollWidth}px wide on a ${innerWidth}px phone`);
    await assertNoA11yViolations(p, `${name} (phone)`);
    await p.screenshot({ path: path.join(resultsDir, `phone-${name}.png`), fullPage: true });
    await p.setViewportSize({ width: 1280, height: 900 });
  }

  async function evidence(p, name, err) {
    await p.screenshot({ path: path.join(resultsDir, `failure-${name}.png`), fullPage: true }).catch(() => {});
    await writeFile(path.join(resultsDir, `failure-${name}.html`), await p.content().catch(() => '')).catch(() => {});
    await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
    throw err;
  }

  test('an accountant raises an invoice, records a payment and sees the statement and its PDF change', { timeout: 240000 }, async (t) => {
    const { context, p } = await signedIn('anna.accounts@acme.example');
    try {
      const admin = server.orgUrl(ORG);
      // A unit, from the arrears list.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Arrears', exact: true }).click();
      await waitForPath(p, '/arrears');
      await assertNoA11yViolations(p, 'arrears');
      await photograph(p, 'arrears');
      const statementHref = await p.locator('table tbody a[href$="/statement"]').first().getAttribute('href');
      assert.ok(statementHref, 'someone is in arrears in the demo');
      const unitPath = statementHref.replace(/\/statement$/, '');
      await p.goto(`${admin}${statementHref}`);
      const balanceBefore = (await p.locator('.card').filter({ has: p.locator('.label', { hasText: /^Balance$/ }) }).locator('.figure').innerText()).trim();
      t.diagnostic(`statement of ${unitPath} shows ${balanceBefore}`);

      await p.goto(`${admin}${unitPath}`);
      const invoice = p.locator('section[aria-labelledby="invoice-heading"]');
      await invoice.getByLabel('Charge', { exact: true }).selectOption('administration_fee');
      await invoice.getByLabel('Description', { exact: true }).fill('Late payment administration fee');
      await invoice.getByLabel('Line 1: what for', { exact: true }).fill('Administration fee');
      await invoice.getByLabel('Line 1: amount before VAT', { exact: true }).fill('25.001');
      await invoice.getByLabel('Line 1: VAT', { exact: true }).selectOption('standard');
      await p.getByRole('button', { name: 'Raise invoice', exact: true }).click();
      const summary = p.getByRole('alert');
      await summary.waitFor({ state: 'visible' });
      assert.match(await summary.innerText(), /two decimal places/);
      assert.equal(await invoice.getByLabel('Description', { exact: true }).inputValue(), 'Late payment administration fee');
      await assertNoA11yViolations(p, 'unit with the invoice form sent back');
      await p.screenshot({ path: path.join(resultsDir, 'invoice-error.png'), fullPage: true });
      await invoice.getByLabel('Line 1: amount before VAT', { exact: true }).fill('25.00');
      await p.getByRole('button', { name: 'Raise invoice', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'raised as a draft' }).waitFor();
      assert.match(await p.locator('dl.summary').innerText(), /£30\.00/, '£25 + 20% VAT');
      await p.getByRole('button', { name: 'Submit for approval', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'submitted for approval' }).waitFor();
      await p.getByRole('button', { name: 'Approve and post', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'approved and posted' }).waitFor();
      await assertNoA11yViolations(p, 'invoice');
      await photograph(p, 'invoice');

      await p.goto(`${admin}${unitPath}`);
      const payment = p.locator('section[aria-labelledby="payment-heading"]');
      await payment.getByLabel('Amount received', { exact: true }).fill('100.00');
      await payment.getByLabel('How it was paid', { exact: true }).selectOption('faster_payments');
      await payment.getByLabel("Payer's reference (optional)", { exact: true }).fill('FP 2026 E2E');
      await p.getByRole('button', { name: 'Record payment', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'payment was recorded' }).waitFor();
      await assertNoA11yViolations(p, 'unit');
      await photograph(p, 'unit');

      await p.goto(`${admin}${statementHref}`);
      const balanceAfter = (await p.locator('.card').filter({ has: p.locator('.label', { hasText: /^Balance$/ }) }).locator('.figure').innerText()).trim();
      const pence = (text) => Math.round(Number(text.replace(/[£,]|in credit/g, '').trim()) * 100) * (text.includes('credit') ? -1 : 1);
      assert.equal(pence(balanceAfter), pence(balanceBefore) + 3000 - 10000, `${balanceBefore} + £30 − £100 = ${balanceAfter}`);
      assert.ok(await p.locator('table tbody tr', { hasText: 'FP 2026 E2E' }).count() === 1, 'the payment is on the statement');
      await assertNoA11yViolations(p, 'statement');
      await photograph(p, 'statement');
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByRole('link', { name: 'Download as PDF', exact: true }).click(),
      ]);
      const file = path.join(resultsDir, 'statement.pdf');
      await download.saveAs(file);
      assert.equal((await readFile(file)).subarray(0, 5).toString(), '%PDF-');
      const { stdout } = await promisify(execFile)('pdftotext', ['-layout', file, '-']);
      assert.ok(stdout.includes('Statement of account'), stdout);
      assert.ok(stdout.includes(balanceAfter), `the PDF holds the balance the screen shows (${balanceAfter}):\n${stdout}`);
      t.diagnostic(`statement PDF: ${balanceBefore} → ${balanceAfter}`);
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'ledger', err);
    } finally {
      await context.close();
    }
  });

  test('an owner invites a member of staff, who signs in, and changes the brand colour', { timeout: 240000 }, async (t) => {
    const { context, p } = await signedIn('olivia.owner@acme.example');
    try {
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff', exact: true }).click();
      await waitForPath(p, '/staff');
      const invite = p.locator('section[aria-labelledby="invite-heading"]');
      await invite.getByLabel('Full name', { exact: true }).fill('Priya Shah');
      await invite.getByLabel('Email address', { exact: true }).fill('priya.shah@acme.example');
      await invite.getByLabel('Role', { exact: true }).selectOption('site_manager');
      await p.getByRole('button', { name: 'Send invitation', exact: true }).click();
      const summary = p.getByRole('alert');
      await summary.waitFor({ state: 'visible' });
      assert.match(await summary.innerText(), /Choose the sites a Site Manager looks after/);
      await assertNoA11yViolations(p, 'staff with the invitation sent back');
      await invite.getByRole('group', { name: 'Sites' }).getByRole('checkbox').first().check();
      await p.getByRole('button', { name: 'Send invitation', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'invitation was sent' }).waitFor();
      await assertNoA11yViolations(p, 'staff');
      await photograph(p, 'staff');
      const mail = await smtp.waitForMessage('priya.shah@acme.example', { timeoutMs: 20000 });
      assert.match(mail.subject, /You have been added to Acme Estates/);
      const priya = await signedIn('priya.shah@acme.example');
      assert.match(await priya.p.locator('.masthead').innerText(), /Priya Shah/);
      await priya.context.close();
      t.diagnostic('the invited Site Manager signed in');

      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
      await waitForPath(p, '/settings');
      await assertNoA11yViolations(p, 'settings');
      const colour = p.getByLabel('Brand colour', { exact: true });
      await colour.fill('#ffdd00');
      await p.getByRole('button', { name: 'Save settings', exact: true }).click();
      await p.getByRole('alert').waitFor({ state: 'visible' });
      assert.match(await p.getByRole('alert').innerText(), /contrast ratio of 1\.34:1; it needs at least 4\.5:1/);
      await assertNoA11yViolations(p, 'settings with the colour refused');
      await p.screenshot({ path: path.join(resultsDir, 'settings-refused.png'), fullPage: true });
      await p.getByLabel('Brand colour', { exact: true }).fill('#6b2c91');
      await p.getByRole('button', { name: 'Save settings', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'settings were saved' }).waitFor();
      const masthead = await p.locator('.masthead').evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(masthead, 'rgb(107, 44, 145)');
      await photograph(p, 'settings');
      // Put the colour back for the tests that follow.
      await p.getByLabel('Brand colour', { exact: true }).fill('#1d4f91');
      await p.getByRole('button', { name: 'Save settings', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'settings were saved' }).waitFor();
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'owner', err);
    } finally {
      await context.close();
    }
  });

  test('a manager compares the quotes of a work order side by side and awards one', { timeout: 120000 }, async (t) => {
    const { context, p } = await signedIn('mark.manager@acme.example');
    try {
      const admin = server.orgUrl(ORG);
      await p.goto(`${admin}/work-orders?status=quoted`);
      const first = p.locator('table tbody a[href^="/work-orders/"]').first();
      await first.waitFor({ state: 'visible' });
      await first.click();
      await p.waitForURL((url) => /^\/work-orders\/[0-9a-f-]{36}$/.test(url.pathname));
      const comparison = p.locator('table', { has: p.locator('caption', { hasText: 'side by side' }) });
      await comparison.waitFor({ state: 'visible' });
      assert.ok(await comparison.locator('thead th').count() >= 2, 'a column per contractor');
      await assertNoA11yViolations(p, 'work order with quotes');
      await photograph(p, 'work-order-quotes');
      const award = p.locator('section[aria-labelledby="award-heading"]');
      const quote = await award.getByLabel('Quote', { exact: true }).locator('option').nth(1).getAttribute('value');
      await award.getByLabel('Quote', { exact: true }).selectOption(quote);
      await p.getByRole('button', { name: 'Award', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'work was awarded' }).waitFor();
      assert.match(await p.locator('table', { has: p.locator('caption', { hasText: 'side by side' }) }).innerText(), /Awarded/);
      t.diagnostic(`awarded on ${new URL(p.url()).pathname}`);
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'quotes', err);
    } finally {
      await context.close();
    }
  });

  test('a demand for a building is shared by its units', { timeout: 120000 }, async () => {
    const { context, p } = await signedIn('anna.accounts@acme.example');
    try {
      const admin = server.orgUrl(ORG);
      await p.goto(`${admin}/sites`);
      await p.locator('table tbody a[href^="/sites/"]').first().click();
      await p.locator('a[href^="/buildings/"]').first().click();
      await p.getByRole('link', { name: 'Raise a service-charge demand for every unit', exact: true }).click();
      await p.waitForURL((url) => url.pathname.endsWith('/demand'));
      await assertNoA11yViolations(p, 'demand');
      await p.getByLabel('Description', { exact: true }).fill('Service charge, half-year from 1 April 2027');
      await p.getByLabel('Total to demand, before VAT', { exact: true }).fill('12,000.00');
      const first = p.locator('table tbody input').first();
      await first.fill('0');
      await p.getByRole('button', { name: 'Raise the demand', exact: true }).click();
      await p.getByRole('alert').waitFor({ state: 'visible' });
      assert.match(await p.getByRole('alert').innerText(), /The percentages add up to .*%, not 100%/);
      await assertNoA11yViolations(p, 'demand sent back');
      await photograph(p, 'demand');
    } catch (err) {
      await evidence(p, 'demand', err);
    } finally {
      await context.close();
    }
  });
});
