// The golden thread of the demo's higher-risk building in the admin app, in a real browser:
// a manager opens it from the building, reads a part with its versions, compares two, and
// saves a new version — at desktop and phone widths, every page checked with axe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { launchBrowser } from '../lib/browser.js';
import { assertNoA11yViolations } from '../lib/a11y.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');
const STAFF_EMAIL = 'mark.manager@acme.example';

describe('golden thread in the admin app', () => {
  let smtp;
  let server;
  let browser;

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000 });
    browser = await launchBrowser();
  }, { timeout: 180000 });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  test('a manager reads, compares and keeps the golden thread', { timeout: 180000 }, async (t) => {
    const admin = server.orgUrl('acme');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    await mkdir(resultsDir, { recursive: true });
    try {
      await p.goto(`${admin}/sign-in`);
      await p.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await p.getByRole('button', { name: 'Send code', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/sign-in/code');
      await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(STAFF_EMAIL, 20000));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/dashboard');

      // From the site to its higher-risk building, and on to its golden thread.
      await p.goto(`${admin}/sites`);
      await p.getByRole('link', { name: 'ACM03', exact: true }).first().click();
      await p.getByRole('link', { name: 'Harbour Point Tower', exact: true }).first().click();
      await p.getByRole('link', { name: 'Open the golden thread' }).click();
      await p.waitForURL((url) => url.pathname.endsWith('/golden-thread'));
      assert.match(await p.locator('h1').innerText(), /Golden thread: Harbour Point Tower/);
      const parts = p.locator('table', { hasText: 'Shown to' }).locator('tbody tr');
      assert.equal(await parts.count(), 17, 'every part is listed');
      await assertNoA11yViolations(p, 'golden thread');
      await p.screenshot({ path: path.join(resultsDir, 'golden-thread.png'), fullPage: true });

      // A part with its versions; the diff between the last two.
      await p.getByRole('link', { name: 'External walls and insulation', exact: true }).click();
      await p.getByRole('heading', { name: 'Versions (2)' }).waitFor();
      await p.getByRole('link', { name: 'With version 1' }).click();
      const changes = p.locator('section', { has: p.getByRole('heading', { name: 'What changed from version 1 to version 2' }) });
      await changes.waitFor();
      const text = (await changes.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /High-pressure laminate/);
      assert.match(text, /Fibre cement rainscreen panels/);
      assert.match(text, /Cladding remediation complete/);
      await assertNoA11yViolations(p, 'a part compared with its earlier version');
      await p.screenshot({ path: path.join(resultsDir, 'golden-thread-diff.png'), fullPage: true });

      // A new version of the roof, from the form.
      await p.goto(admin + new URL(p.url()).pathname.replace(/external_walls.*/, 'roof'));
      await p.getByLabel('Roof covering', { exact: true }).fill('Single-ply membrane over mineral wool, renewed 2024.');
      await p.getByLabel('What changed and why', { exact: true }).fill('Roof survey recorded');
      await p.getByRole('button', { name: 'Save as a new version', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'The new version was saved' }).waitFor();
      await p.getByRole('heading', { name: 'Versions (1)' }).waitFor();

      // At a phone's width nothing is wider than the screen.
      await p.setViewportSize({ width: 390, height: 844 });
      await p.goto(admin + new URL(p.url()).pathname.replace(/\/roof.*/, ''));
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the golden thread page is ${overflow}px wider than a phone`);
      await assertNoA11yViolations(p, 'golden thread at a phone width');
      await p.screenshot({ path: path.join(resultsDir, 'golden-thread-phone.png'), fullPage: true });
    } catch (err) {
      await p.screenshot({ path: path.join(resultsDir, 'golden-thread-failure.png'), fullPage: true }).catch(() => {});
      await writeFile(path.join(resultsDir, 'golden-thread-failure.html'), await p.content().catch(() => '')).catch(() => {});
      await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
      t.diagnostic(`failed at ${p.url()}; see tests/e2e/test-results/golden-thread-failure.*`);
      throw err;
    } finally {
      await context.close();
    }
  });

  test('a resident of the higher-risk building reads it on BuildingThread, at a phone width', { timeout: 180000 }, async (t) => {
    const thread = `http://acme.buildingthread.localhost:${server.port}`;
    const resident = 'sana.khan@residents.example';
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    try {
      await p.goto(`${thread}/`);
      await p.waitForURL((url) => url.pathname === '/sign-in');
      assert.match(await p.locator('h1').innerText(), /BuildingThread/);
      await assertNoA11yViolations(p, 'BuildingThread sign-in');
      await p.getByLabel('Email address', { exact: true }).fill(resident);
      await p.getByRole('button', { name: 'Send code', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/sign-in/code');
      await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(resident, 20000));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL((url) => /^\/buildings\/[0-9a-f-]{36}$/.test(url.pathname));
      assert.match(await p.locator('h1').innerText(), /Harbour Point Tower/);
      const text = (await p.locator('main').innerText()).replace(/\s+/g, ' ');
      for (const said of ['What keeps you safe', 'If there is a fire', 'Stay put', 'Harbour Point RMC Ltd', 'Fire safety information']) {
        assert.ok(text.includes(said), `the page says "${said}": ${text.slice(0, 400)}`);
      }
      assert.ok(!text.includes('Fibre cement'), "the Key Building Information is the Regulator's");
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
      await assertNoA11yViolations(p, "a resident's golden thread");
      await p.screenshot({ path: path.join(resultsDir, 'buildingthread-resident.png'), fullPage: true });
      t.diagnostic('Mrs Khan read Harbour Point Tower on BuildingThread');

      // She raises a safety concern that may be a mandatory occurrence.
      await p.getByLabel('Where is it', { exact: true }).selectOption('stairs');
      await p.getByLabel('What is wrong', { exact: true }).fill('The smoke vent at the top of the stair did not open in this morning\'s test.');
      await p.getByLabel(/Fire or smoke could spread/).check();
      await p.getByLabel('It could seriously hurt people').check();
      await p.getByRole('button', { name: 'Send my concern', exact: true }).click();
      const thanks = p.getByRole('status').filter({ hasText: 'Your concern is request' });
      await thanks.waitFor();
      assert.match(await thanks.innerText(), /TKT-\d{4}-\d+.*Building Safety Regulator/s);
      await assertNoA11yViolations(p, 'a concern raised');
      await p.screenshot({ path: path.join(resultsDir, 'buildingthread-concern.png'), fullPage: false });
    } catch (err) {
      await p.screenshot({ path: path.join(resultsDir, 'buildingthread-failure.png'), fullPage: true }).catch(() => {});
      await writeFile(path.join(resultsDir, 'buildingthread-failure.html'), await p.content().catch(() => '')).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  });

  test('the Regulator reads every version and exports the pack; staff see the fire-safety information delivered', { timeout: 240000 }, async (t) => {
    const admin = server.orgUrl('acme');
    const thread = `http://acme.buildingthread.localhost:${server.port}`;
    const inspector = 'ruth.okafor@bsr.example';
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const s = await staff.newPage();
    s.setDefaultTimeout(15000);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', acceptDownloads: true });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    try {
      // The manager: who the Regulator has, and who has opened this year's information.
      await s.goto(`${admin}/sign-in`);
      await s.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await s.getByRole('button', { name: 'Send code', exact: true }).click();
      await s.waitForURL((url) => url.pathname === '/sign-in/code');
      await s.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(STAFF_EMAIL, 20000));
      await s.getByRole('button', { name: 'Sign in', exact: true }).click();
      await s.waitForURL((url) => url.pathname === '/dashboard');
      await s.goto(`${admin}/sites`);
      await s.getByRole('link', { name: 'ACM03', exact: true }).first().click();
      await s.getByRole('link', { name: 'Harbour Point Tower', exact: true }).first().click();
      await s.getByRole('link', { name: 'Open the golden thread' }).click();
      await s.getByRole('link', { name: 'Access for the Building Safety Regulator' }).click();
      const grants = (await s.locator('main table').innerText()).replace(/\s+/g, ' ');
      assert.match(grants, /Ruth Okafor .*Open/);
      assert.match(grants, /Daniel Price .*Ended/);
      await assertNoA11yViolations(s, 'access for the Regulator');
      await s.screenshot({ path: path.join(resultsDir, 'golden-thread-access.png'), fullPage: true });
      await s.goBack();
      await s.getByRole('link', { name: 'Fire safety information: who has it' }).click();
      const khan = (await s.locator('main table tr', { hasText: 'Khan' }).innerText()).replace(/\s+/g, ' ');
      assert.match(khan, /Opened/, 'Mrs Khan opened it on BuildingThread in the test before');
      const unopened = await s.locator('main table tr', { hasText: 'Not opened' }).count();
      assert.ok(unopened > 0, 'the residents who have not opened it are listed');
      await assertNoA11yViolations(s, 'fire safety information deliveries');
      await s.screenshot({ path: path.join(resultsDir, 'golden-thread-fire-safety.png'), fullPage: true });

      // The inspector, on a phone: her buildings, the whole thread, every version, the pack.
      await p.goto(`${thread}/sign-in`);
      await p.getByLabel('Email address', { exact: true }).fill(inspector);
      await p.getByRole('button', { name: 'Send code', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/sign-in/code');
      await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(inspector, 20000));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/');
      assert.match(await p.locator('h1').innerText(), /Golden threads open to you/);
      await assertNoA11yViolations(p, "the Regulator's buildings");
      await p.getByRole('link', { name: 'Harbour Point Tower', exact: true }).click();
      await p.waitForURL((url) => /^\/buildings\/[0-9a-f-]{36}$/.test(url.pathname));
      const text = (await p.locator('main').innerText()).replace(/\s+/g, ' ');
      for (const said of ['Fibre cement', 'Evacuation strategy', 'Energy supply and storage', 'HRB-2023-118842']) {
        assert.ok(text.includes(said), `the Regulator reads "${said}"`);
      }
      let overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the thread is ${overflow}px wider than a phone`);
      await assertNoA11yViolations(p, "the Regulator's view of the thread");
      await p.screenshot({ path: path.join(resultsDir, 'buildingthread-regulator.png'), fullPage: false });

      await p.getByRole('link', { name: 'External walls and insulation', exact: true }).click();
      await p.getByRole('heading', { name: /Version 2 \(as it stands\)/ }).waitFor();
      const versions = (await p.locator('main').innerText()).replace(/\s+/g, ' ');
      assert.match(versions, /High-pressure laminate/, 'the earlier version is readable');
      overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the versions are ${overflow}px wider than a phone`);
      await assertNoA11yViolations(p, 'every version of a part');
      await p.screenshot({ path: path.join(resultsDir, 'buildingthread-regulator-versions.png'), fullPage: false });
      await p.goBack();

      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByRole('link', { name: 'Download the handover pack (PDF)' }).click(),
      ]);
      const file = path.join(resultsDir, 'golden-thread-handover.pdf');
      await download.saveAs(file);
      assert.equal((await readFile(file)).subarray(0, 5).toString(), '%PDF-');
      const { stdout } = await promisify(execFile)('pdftotext', ['-layout', file, '-']);
      for (const said of ['Harbour Point Tower', 'External walls and insulation', 'Fibre cement', 'Energy supply and storage', 'Ruth Okafor']) {
        assert.ok(stdout.includes(said), `the pack holds "${said}"`);
      }
      t.diagnostic('Ruth Okafor exported the handover pack of Harbour Point Tower');
    } catch (err) {
      for (const [page, name] of [[s, 'staff'], [p, 'regulator']]) {
        await page.screenshot({ path: path.join(resultsDir, `buildingthread-${name}-failure.png`), fullPage: true }).catch(() => {});
        await writeFile(path.join(resultsDir, `buildingthread-${name}-failure.html`), await page.content().catch(() => '')).catch(() => {});
      }
      throw err;
    } finally {
      await context.close();
      await staff.close();
    }
  });
});
