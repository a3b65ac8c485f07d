// ResidencePort in a real browser: Mrs Khan, a demo leaseholder, signs in, reads her
// statement and its PDF, pays part of her invoice with the sandbox provider (a declined card
// first), raises a request with a photo, and reads the manager's reply after it is posted in
// the admin app. At a phone's width she pays the rest and reports a problem in a shared area.
// Every page is checked with axe (WCAG 2.2 AA) and photographed at desktop and phone widths.
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
const KHAN = 'sana.khan@residents.example';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

async function waitForPath(page, pathname, timeout = 30000) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout });
}

describe('ResidencePort', () => {
  let smtp;
  let server;
  let browser;
  const pageErrors = [];

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({
      smtpUrl: smtp.url,
      startTimeoutMs: 90000,
      // The stand-in for the browser's push service below is on loopback.
      env: { PROPLINK_PUSH_INSECURE_ENDPOINTS: 'true' },
    });
    browser = await launchBrowser();
    await mkdir(resultsDir, { recursive: true });
  }, { timeout: 180000 });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  const portal = () => server.orgUrl(ORG).replace('.proplink.localhost', '.residenceport.localhost');

  /** A page signed in to `base` as `email`, landing on `home`. */
  async function signedIn(base, email, home, viewport = DESKTOP) {
    const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-GB' });
    const p = await context.newPage();
    p.setDefaultTimeout(15000);
    p.on('pageerror', (err) => pageErrors.push(err.message));
    await p.goto(`${base}/sign-in`);
    await p.getByLabel('Email address', { exact: true }).fill(email);
    await p.getByRole('button', { name: 'Send code', exact: true }).click();
    await waitForPath(p, '/sign-in/code');
    await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(email, 20000));
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPath(p, home);
    return { context, p };
  }

  /** Checks the page with axe and photographs it at desktop width, then at a phone's. */
  async function photograph(p, name) {
    await assertNoA11yViolations(p, name);
    const viewport = p.viewportSize();
    await p.setViewportSize(DESKTOP);
    await p.screenshot({ path: path.join(resultsDir, `rp-${name}.png`), fullPage: true });
    await p.setViewportSize(PHONE);
    const { scrollWidth, innerWidth } = await p.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${name} is ${scrollWidth}px wide on a ${innerWidth}px phone`);
    await assertNoA11yViolations(p, `${name} (phone)`);
    await p.screenshot({ path: path.join(resultsDir, `rp-phone-${name}.png`), fullPage: true });
    await p.setViewportSize(viewport);
  }

  async function evidence(p, name, err) {
    await p.screenshot({ path: path.join(resultsDir, `failure-rp-${name}.png`), fullPage: true }).catch(() => {});
    await writeFile(path.join(resultsDir, `failure-rp-${name}.html`), await p.content().catch(() => '')).catch(() => {});
    await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
    throw err;
  }

  /** A JPEG drawn by the browser itself: a real photo file to upload. */
  async function photoFile(p, name) {
    const dataUrl = await p.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 480;
      const g = c.getContext('2d');
      g.fillStyle = '#8fb3d9';
      g.fillRect(0, 0, 640, 480);
      g.fillStyle = '#5a4632';
      g.fillRect(120, 90, 400, 300);
      return c.toDataURL('image/jpeg', 0.85);
    });
    const file = path.join(resultsDir, name);
    await writeFile(file, Buffer.from(dataUrl.split(',')[1], 'base64'));
    return file;
  }

  const nav = (p, name) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  /** Pays `amount` of the first invoice to pay on the account page, the first card declined. */
  async function pay(p, amount, label) {
    await nav(p, 'Account').click();
    await p.getByRole('heading', { level: 1, name: /^Account: / }).waitFor();
    await p.locator('table tbody a[href^="/invoices/"]').first().click();
    await p.getByRole('button', { name: 'Continue to payment', exact: true }).waitFor();
    await photograph(p, `${label}-invoice`);
    await p.getByLabel('Amount to pay', { exact: true }).fill(amount);
    await p.getByRole('button', { name: 'Continue to payment', exact: true }).click();
    await p.getByRole('button', { name: 'Pay', exact: true }).waitFor();
    assert.match(new URL(p.url()).pathname, /^\/sandbox-checkout\//);
    await photograph(p, `${label}-checkout`);
    const card = async (number) => {
      await p.getByLabel('Card number', { exact: true }).fill(number);
      await p.getByLabel('Expiry date (MM/YY)', { exact: true }).fill('12/30');
      await p.getByLabel('Security code', { exact: true }).fill('123');
      await p.getByRole('button', { name: 'Pay', exact: true }).click();
    };
    await card('4000 0000 0000 0002');
    await p.getByRole('alert').waitFor({ state: 'visible' });
    assert.match(await p.getByRole('alert').innerText(), /declined/);
    await photograph(p, `${label}-declined`);
    await card('4242 4242 4242 4242');
    await p.getByRole('heading', { name: 'Payment received' }).waitFor();
    await photograph(p, `${label}-receipt`);
  }

  test('a resident reads her statement, pays by card, raises a request with a photo and reads the reply', { timeout: 300000 }, async (t) => {
    const { context, p } = await signedIn(portal(), KHAN, '/');
    try {
      assert.match(await p.locator('h1').innerText(), /Welcome, Mrs Khan/);
      const owed = await p.locator('.card .figure').first().innerText();
      t.diagnostic(`Mrs Khan owes ${owed}`);
      await photograph(p, 'home');

      await nav(p, 'Account').click();
      await p.getByRole('heading', { name: /^Account: Flat 12/ }).waitFor();
      assert.ok(await p.locator('table tbody tr', { hasText: 'Service charge' }).count() > 0, 'the statement lists the charges');
      await photograph(p, 'account');
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByRole('link', { name: 'Download the statement (PDF)', exact: true }).click(),
      ]);
      const file = path.join(resultsDir, 'rp-statement.pdf');
      await download.saveAs(file);
      assert.equal((await readFile(file)).subarray(0, 5).toString(), '%PDF-');
      const { stdout } = await promisify(execFile)('pdftotext', ['-layout', file, '-']);
      assert.ok(stdout.includes('Flat 12'), stdout);

      await pay(p, '100.00', 'desktop');
      await nav(p, 'Account').click();
      assert.ok(await p.locator('table tbody tr', { hasText: 'Card' }).count() > 0, 'the card payment is on the statement');

      // A request about her home, with a photo.
      await nav(p, 'Requests').click();
      await p.getByRole('link', { name: 'Report a problem', exact: true }).click();
      await waitForPath(p, '/requests/new');
      await photograph(p, 'report-where');
      await p.getByLabel('Where', { exact: true }).selectOption({ label: 'Inside my home: Flat 12, Harbour Point Tower' });
      await p.getByRole('button', { name: 'Continue', exact: true }).click();
      await waitForPath(p, '/requests/new/details');
      await p.getByLabel('What kind of problem', { exact: true }).selectOption('maintenance');
      await p.getByLabel('In a few words', { exact: true }).fill('Damp patch spreading on the bedroom wall');
      await p.getByLabel('Tell us more', { exact: true }).fill('Since the storm on Sunday. It is behind the wardrobe, about a metre wide.');
      await p.getByLabel('Photos (optional)', { exact: true }).setInputFiles([await photoFile(p, 'damp.jpg')]);
      await photograph(p, 'report-details');
      await p.getByRole('button', { name: 'Send the request', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'was sent' }).waitFor();
      const requestPath = new URL(p.url()).pathname;
      assert.match(await p.locator('body').innerText(), /Our promise/);
      const thumbnail = p.getByRole('img', { name: /^Photo 1 of the request/ });
      await thumbnail.waitFor();
      assert.ok(await thumbnail.evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo shows');
      await photograph(p, 'request');

      // The manager replies in the admin app.
      const ticketId = requestPath.split('/').pop();
      const mark = await signedIn(server.orgUrl(ORG), 'mark.manager@acme.example', '/dashboard');
      await mark.p.goto(`${server.orgUrl(ORG)}/tickets/${ticketId}`);
      assert.match(await mark.p.locator('dl.summary').innerText(), /Sana Khan[\s\S]*via ResidencePort/);
      assert.ok(await mark.p.getByRole('img', { name: 'Photo 1' }).count() === 1, 'staff see her photo');
      await mark.p.locator('section[aria-labelledby="reply-heading"]').getByLabel('Message', { exact: true }).fill('Thank you, Mrs Khan. A surveyor will call you tomorrow to arrange a visit.');
      await mark.p.getByRole('button', { name: 'Send reply', exact: true }).click();
      await mark.p.getByRole('status').waitFor();
      await mark.context.close();
      const mail = await smtp.waitForMessage(KHAN, { timeoutMs: 20000, predicate: (m) => /new reply/.test(m.subject) });
      assert.match(mail.subject, /new reply on TKT-/);

      await p.goto(`${portal()}${requestPath}`);
      assert.match(await p.locator('ol.thread').innerText(), /A surveyor will call you tomorrow/);
      await photograph(p, 'request-replied');

      for (const [name, heading] of [['Notices', 'Notices'], ['Documents', 'Documents'], ['Profile', 'Your profile']]) {
        await nav(p, name).click();
        await p.getByRole('heading', { level: 1, name: heading }).waitFor();
        await photograph(p, name.toLowerCase());
      }
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'desktop', err);
    } finally {
      await context.close();
    }
  });

  test('on a phone she pays the rest and reports a problem in a shared area', { timeout: 300000 }, async () => {
    const { context, p } = await signedIn(portal(), KHAN, '/', PHONE);
    try {
      const owed = await p.locator('table tbody a[href^="/invoices/"]').count();
      assert.ok(owed > 0, 'something is still to pay');
      await p.locator('table tbody a[href^="/invoices/"]').first().click();
      const left = await p.getByLabel('Amount to pay', { exact: true }).inputValue();
      await p.getByRole('button', { name: 'Continue to payment', exact: true }).click();
      await p.getByLabel('Card number', { exact: true }).fill('4242 4242 4242 4242');
      await p.getByLabel('Expiry date (MM/YY)', { exact: true }).fill('12/30');
      await p.getByLabel('Security code', { exact: true }).fill('123');
      await p.getByRole('button', { name: 'Pay', exact: true }).click();
      await p.getByRole('heading', { name: 'Payment received' }).waitFor();
      assert.match(await p.locator('h1').innerText(), new RegExp(`Paid £${left.replace('.', '\\.')}`));
      await p.screenshot({ path: path.join(resultsDir, 'rp-phone-paid-in-full.png'), fullPage: true });

      await p.goto(`${portal()}/requests/new`);
      await p.getByLabel('Where', { exact: true }).selectOption({ label: 'A shared area of Harbour Point Tower' });
      await p.getByLabel('Which shared area', { exact: true }).selectOption('bins');
      await p.getByRole('button', { name: 'Continue', exact: true }).click();
      await waitForPath(p, '/requests/new/details');
      const different = p.getByRole('link', { name: 'My problem is different: report it' });
      if (await different.count()) {
        await photograph(p, 'already-reported');
        await different.click();
      }
      await p.getByLabel('In a few words', { exact: true }).fill('Bin store door will not close');
      await p.getByLabel('Tell us more', { exact: true }).fill('The latch is broken and foxes are getting in.');
      await p.getByRole('button', { name: 'Send the request', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'was sent' }).waitFor();
      assert.match(await p.locator('dl.summary').innerText(), /Bin store, Harbour Point Tower/);
      await p.screenshot({ path: path.join(resultsDir, 'rp-phone-shared-request.png'), fullPage: true });
      await assertNoA11yViolations(p, 'shared-area request (phone)');
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'phone', err);
    } finally {
      await context.close();
    }
  });

  // Chromium here cannot reach a real push service (Google's FCM): `pushManager.subscribe`
  // would fail for want of it. So the browser's push service alone is stood in for: the page's
  // own script, the real service worker registration, the opt-in and what the server stores
  // are the product's. Delivery to a push service is proven over HTTP in tests/it/push.rs.
  test('she turns on notifications on her phone, only when she asks', { timeout: 120000 }, async () => {
    const { context, p } = await signedIn(portal(), KHAN, '/', PHONE);
    try {
      await context.grantPermissions(['notifications'], { origin: portal() });
      await p.addInitScript((endpoint) => {
        const p256dh = 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4';
        const auth = 'BTBZMqHH6r4Tts7J_aSIgg';
        const bytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)).buffer;
        window.__subscribeCalls = 0;
        PushManager.prototype.subscribe = async function (options) {
          window.__subscribeCalls += 1;
          return { endpoint, options, getKey: (name) => bytes(name === 'p256dh' ? p256dh : auth), unsubscribe: async () => true };
        };
        PushManager.prototype.getSubscription = async () => null;
      }, `http://127.0.0.1:9/push/${Date.now()}`);
      await p.goto(`${portal()}/profile`);
      assert.equal(await p.evaluate(() => window.__subscribeCalls), 0, 'nothing is asked on page load');
      assert.equal(await p.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
      assert.match(await p.locator('main').innerText(), /Notifications are not on anywhere yet/);
      await p.screenshot({ path: path.join(resultsDir, 'rp-phone-notifications-off.png'), fullPage: true });
      await p.getByRole('button', { name: 'Turn on notifications', exact: true }).click();
      // The subscription went with the form: the page that comes back lists it.
      await p.getByRole('status').filter({ hasText: 'Notifications are on for this device.' }).waitFor();
      const scopes = await p.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope));
      assert.deepEqual(scopes, [`${portal()}/`], 'the service worker covers the portal');
      const listed = await p.locator('table', { hasText: 'Turned on' }).innerText();
      assert.match(listed, /Chrome on Linux|Chrome on Android|Chrome/);
      await p.screenshot({ path: path.join(resultsDir, 'rp-phone-notifications-on.png'), fullPage: true });
      await assertNoA11yViolations(p, 'notifications on (phone)');
      await p.getByRole('button', { name: 'Turn off', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'Notifications are off for that device.' }).waitFor();
      assert.match(await p.locator('main').innerText(), /Notifications are not on anywhere yet/);
      assert.deepEqual(pageErrors, []);
    } catch (err) {
      await evidence(p, 'notifications', err);
    } finally {
      await context.close();
    }
  });

  test('signing out turns notifications off on that browser', { timeout: 120000 }, async () => {
    const { context, p } = await signedIn(portal(), KHAN, '/', PHONE);
    try {
      await context.grantPermissions(['notifications'], { origin: portal() });
      // The browser's side of a subscription, kept across page loads as a browser keeps it.
      await p.addInitScript((endpoint) => {
        const p256dh = 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4';
        const auth = 'BTBZMqHH6r4Tts7J_aSIgg';
        const bytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)).buffer;
        const made = (options) => ({
          endpoint,
          options,
          getKey: (name) => bytes(name === 'p256dh' ? p256dh : auth),
          unsubscribe: async () => {
            localStorage.removeItem('subscribed');
            localStorage.setItem('unsubscribed', 'yes');
            return true;
          },
        });
        PushManager.prototype.subscribe = async function (options) {
          localStorage.setItem('subscribed', 'yes');
          return made(options);
        };
        PushManager.prototype.getSubscription = async () => (localStorage.getItem('subscribed') ? made({ applicationServerKey: null }) : null);
      }, `http://127.0.0.1:9/push/signout-${Date.now()}`);
      await p.goto(`${portal()}/profile`);
      await p.getByRole('button', { name: 'Turn on notifications', exact: true }).click();
      await p.getByRole('status').filter({ hasText: 'Notifications are on for this device.' }).waitFor();
      await p.getByRole('button', { name: 'Sign out', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/sign-in');
      assert.equal(await p.evaluate(() => localStorage.getItem('unsubscribed')), 'yes', 'the browser dropped its subscription');
      // Signed in again: the server forgot it too.
      await p.getByLabel('Email address', { exact: true }).fill(KHAN);
      await p.getByRole('button', { name: 'Send code', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/sign-in/code');
      await p.getByLabel('Code', { exact: true }).fill(await smtp.waitForCode(KHAN, 20000));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL((url) => url.pathname === '/');
      await p.goto(`${portal()}/profile`);
      assert.match(await p.locator('main').innerText(), /Notifications are not on anywhere yet/);
    } catch (err) {
      await evidence(p, 'notifications-sign-out', err);
    } finally {
      await context.close();
    }
  });
});
