// ContractorPort in a real browser: the manager invites Skyline Lifts to quote for the demo's
// lift repair in the admin app; the link is read from the message the real SMTP server
// received; on a phone the contractor sends a quote with their PDF, the manager awards it,
// the contractor files a certificate and marks the work complete with a photo; the manager
// sees all of it on the work order, each step in its audit trail as through ContractorPort.
// Every page is checked with axe (WCAG 2.2 AA) and photographed at desktop and phone widths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodeQuotedPrintable, startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { launchBrowser } from '../lib/browser.js';
import { assertNoA11yViolations } from '../lib/a11y.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');
const ORG = 'acme';
const MARK = 'mark.manager@acme.example';
const SKYLINE = 'service@skylinelifts.example';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describe('ContractorPort', () => {
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

  async function newPage(viewport) {
    const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    p.on('pageerror', (err) => pageErrors.push(err.message));
    return { context, p };
  }

  async function signedInAdmin(email) {
    const { context, p } = await newPage(DESKTOP);
    const base = server.orgUrl(ORG);
    await p.goto(`${base}/sign-in`);
    await p.getByLabel('Email address', { exact: true }).fill(email);
    await p.getByRole('button', { name: 'Send code', exact: true }).click();
    await p.waitForURL((url) => url.pathname === '/sign-in/code');
    await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(email, 20000));
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.waitForURL((url) => url.pathname === '/dashboard');
    return { context, p };
  }

  /** Checks the page with axe and photographs it at desktop width, then at a phone's. */
  async function photograph(p, name) {
    await assertNoA11yViolations(p, name);
    const viewport = p.viewportSize();
    await p.setViewportSize(DESKTOP);
    await p.screenshot({ path: path.join(resultsDir, `cp-${name}.png`), fullPage: true });
    await p.setViewportSize(PHONE);
    const { scrollWidth, innerWidth } = await p.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${name} is ${scrollWidth}px wide on a ${innerWidth}px phone`);
    await assertNoA11yViolations(p, `${name} (phone)`);
    await p.screenshot({ path: path.join(resultsDir, `cp-phone-${name}.png`), fullPage: true });
    await p.setViewportSize(viewport);
  }

  async function evidence(pages, err) {
    for (const [name, p] of Object.entries(pages)) {
      if (!p) continue;
      await p.screenshot({ path: path.join(resultsDir, `failure-cp-${name}.png`), fullPage: true }).catch(() => {});
      await writeFile(path.join(resultsDir, `failure-cp-${name}.html`), await p.content().catch(() => '')).catch(() => {});
    }
    await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
    throw err;
  }

  /** A real PDF, printed by the browser itself: the contractor's own quotation. */
  async function pdfFile(p, name, text) {
    const printer = await p.context().newPage();
    await printer.setContent(`<h1>${text}</h1><p>Skyline Lifts Ltd, Unit 4, Riverside Trading Estate.</p>`);
    const file = path.join(resultsDir, name);
    await printer.pdf({ path: file, format: 'A4' });
    await printer.close();
    return file;
  }

  /** A JPEG drawn by the browser: a photo of the finished work. */
  async function photoFile(p, name) {
    const dataUrl = await p.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 800;
      c.height = 600;
      const g = c.getContext('2d');
      g.fillStyle = '#c9ccd1';
      g.fillRect(0, 0, 800, 600);
      g.fillStyle = '#6b7280';
      g.fillRect(250, 60, 300, 500);
      return c.toDataURL('image/jpeg', 0.85);
    });
    const file = path.join(resultsDir, name);
    await writeFile(file, Buffer.from(dataUrl.split(',')[1], 'base64'));
    return file;
  }

  const submit = (p, form, name) => p.locator(`section[aria-labelledby="${form}-heading"]`).getByRole('button', { name, exact: true }).click();
  const inForm = (p, form, label) => p.locator(`section[aria-labelledby="${form}-heading"]`).getByLabel(label, { exact: true });

  test('a contractor quotes, is awarded the work, files a certificate and completes it; the office sees it all', { timeout: 400000 }, async () => {
    const mark = await signedInAdmin(MARK);
    const phone = await newPage(PHONE);
    const c = phone.p;
    try {
      // The office: the lift repair, how to get in, and the invitation.
      const m = mark.p;
      await m.goto(`${server.orgUrl(ORG)}/work-orders?status=sent_for_quote`);
      await m.locator('table tbody tr', { hasText: 'Lift repair' }).getByRole('link').first().click();
      await m.waitForURL((url) => /^\/work-orders\/[0-9a-f-]{36}$/.test(url.pathname));
      const workOrder = m.url();
      await inForm(m, 'access', 'How to get in').fill('Ask at the concierge desk for the lift motor room key. Park in bay 3.');
      await inForm(m, 'access', 'Access contact (optional)').fill('Concierge, 020 7946 0321');
      await submit(m, 'access', 'Save access details');
      await m.getByRole('status').waitFor();
      await inForm(m, 'invite', 'Contractor').selectOption({ label: 'Skyline Lifts Ltd (Lifts)' });
      const since = smtp.messages.length;
      await submit(m, 'invite', 'Send invitation');
      await m.getByRole('status').waitFor();
      await photograph(m, 'office-invited');

      // The invitation arrives by mail; its link opens the work order on the contractor's phone.
      const mail = await smtp.waitForMessage(SKYLINE, { since, timeoutMs: 20000, predicate: (x) => /Invitation to quote/.test(x.subject) });
      const link = decodeQuotedPrintable(mail.raw).match(/http:\/\/contractorport\.localhost:\d+\/[0-9a-f]{64}/);
      assert.ok(link, `a link in the invitation:\n${mail.raw}`);
      // The click shows a button (a mail scanner fetching the link uses nothing up).
      await c.goto(link[0]);
      assert.match(await c.locator('h1').innerText(), /A work order from Acme Estates/);
      await photograph(c, 'link');
      await c.getByRole('button', { name: 'Open the work order', exact: true }).click();
      await c.waitForURL((url) => url.pathname === '/work-order');
      const body = await c.locator('main').innerText();
      assert.match(body, /Lift repair/);
      assert.match(body, /lift motor room key/);
      assert.match(body, /Concierge, 020 7946 0321/);
      assert.doesNotMatch(body, /Mrs Khan|Sana Khan/);
      await photograph(c, 'work-order');

      // The quote, with the contractor's own PDF.
      await inForm(c, 'quote', 'Price before VAT').fill('1240.00');
      await inForm(c, 'quote', 'Notes (optional)').fill('Replace the door operator and re-level the car. Parts on the van.');
      await inForm(c, 'quote', 'Your quotation as a PDF (optional)').setInputFiles(await pdfFile(c, 'skyline-quote.pdf', 'Quotation Q-1042: lift door operator'));
      await submit(c, 'quote', 'Send quote');
      await c.getByRole('status').filter({ hasText: 'Your quote was sent' }).waitFor();
      assert.match(await c.locator('main').innerText(), /Waiting for a decision/);
      await photograph(c, 'quoted');

      // The office is told, opens the PDF and awards the work.
      await smtp.waitForMessage(MARK, { since, timeoutMs: 20000, predicate: (x) => /Skyline Lifts Ltd sent a quote/.test(x.subject) });
      await m.goto(workOrder);
      const pdfLink = m.getByRole('link', { name: 'Quote PDF', exact: true });
      // Fetched as the browser would, with the manager's session: saved, never shown in place.
      const pdf = await m.evaluate(async (href) => {
        const r = await fetch(href);
        const bytes = new Uint8Array(await r.arrayBuffer());
        return {
          status: r.status,
          disposition: r.headers.get('content-disposition'),
          nosniff: r.headers.get('x-content-type-options'),
          head: String.fromCharCode(...bytes.slice(0, 5)),
        };
      }, await pdfLink.getAttribute('href'));
      assert.equal(pdf.status, 200);
      assert.match(pdf.disposition, /^attachment; filename="WO-\d+-\d+-quote\.pdf"/);
      assert.equal(pdf.nosniff, 'nosniff');
      assert.equal(pdf.head, '%PDF-');
      await inForm(m, 'award', 'Quote').selectOption({ label: 'Skyline Lifts Ltd: £1,240.00 + £248.00 VAT' });
      await submit(m, 'award', 'Award');
      await m.getByRole('status').waitFor();

      // The contractor files a certificate, then marks the work complete with a photo.
      await c.reload();
      assert.match(await c.locator('main').innerText(), /Accepted/);
      await inForm(c, 'certificate', 'Type of certificate').selectOption({ label: 'Other certificate' });
      await inForm(c, 'certificate', 'Registration or certificate number (optional)').fill('LOLER-2026-118');
      await inForm(c, 'certificate', 'Date issued').fill('2026-12-01');
      await inForm(c, 'certificate', 'Expiry date (optional)').fill('2027-06-01');
      await inForm(c, 'certificate', 'The certificate').setInputFiles(await pdfFile(c, 'loler.pdf', 'LOLER thorough examination report'));
      await submit(c, 'certificate', 'Upload certificate');
      await c.getByRole('status').filter({ hasText: 'certificate was filed' }).waitFor();
      await inForm(c, 'complete', 'What was done').fill('Door operator replaced, car re-levelled, lift tested over 20 cycles and returned to service.');
      await inForm(c, 'complete', 'Photos (optional)').setInputFiles([await photoFile(c, 'lift-done.jpg')]);
      await photograph(c, 'completing');
      await submit(c, 'complete', 'Mark complete');
      await c.getByRole('status').filter({ hasText: 'You marked the work complete' }).waitFor();
      const done = await c.locator('main').innerText();
      assert.match(done, /now read-only/);
      assert.equal(await c.getByRole('heading', { name: 'Mark the work complete' }).count(), 0);
      const photo = c.getByRole('img', { name: 'Photo 1' });
      assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo shows');
      await photograph(c, 'completed');

      // The link opened again elsewhere says so and offers a fresh one.
      const elsewhere = await newPage(PHONE);
      await elsewhere.p.goto(link[0]);
      assert.match(await elsewhere.p.locator('main').innerText(), /already been opened/);
      assert.equal(await elsewhere.p.getByRole('button', { name: 'Email me a fresh link' }).count(), 1);
      await photograph(elsewhere.p, 'opened-before');
      await elsewhere.context.close();

      // The office sees it all, each step through ContractorPort.
      await smtp.waitForMessage(MARK, { since, timeoutMs: 20000, predicate: (x) => /marked the work complete/.test(x.subject) });
      await m.goto(workOrder);
      const office = await m.locator('main').innerText();
      assert.match(office, /Completed/);
      assert.match(office, /Door operator replaced/);
      assert.match(office, /LOLER-2026-118/);
      assert.equal(await m.getByRole('img', { name: 'Photo 1' }).count(), 1);
      const trail = await m.locator('ol.trail').innerText();
      for (const step of [/Skyline Lifts Ltd opened their ContractorPort link/, /Skyline Lifts Ltd quoted £1,240\.00/, /Skyline Lifts Ltd uploaded a certificate to WO-\d+-\d+: Other certificate/, /Skyline Lifts Ltd marked WO-\d+-\d+ complete/]) {
        assert.match(trail, step);
      }
      assert.match(trail, /ContractorPort/);
      await photograph(m, 'office-completed');
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence({ office: mark.p, contractor: c }, err);
    } finally {
      await mark.context.close();
      await phone.context.close();
    }
  });
});
