// The Facility Report desktop app (Tauri 2, WebKitGTK) under Xvfb, driven over WebDriver by
// tauri-driver, against a real proplink server: sign in with an emailed code, log an issue
// with a photo, log a second one while the server is down, sync once it is back, and find
// both in the admin app with the app named in the audit trail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSmtp } from '../lib/smtp.js';
import { startServer } from '../lib/server.js';
import { startApp } from '../lib/app.js';
import { launchBrowser } from '../lib/browser.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(e2eDir, 'test-results');

const ORG = 'acme';
const SITE_MANAGER = 'sam.singh@acme.example';
const SITE = 'ACM01 Riverside Court';
const STAFF_EMAIL = 'mark.manager@acme.example';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What the app shows, read in one go (the screens are re-rendered often, so no element handles). */
function appState(browser) {
  return browser.execute(() => {
    const status = document.getElementById('status');
    const flash = document.getElementById('flash');
    const alert = document.querySelector('.form-alert:not([hidden])');
    const site = document.getElementById('site');
    return {
      heading: document.querySelector('#app h2')?.textContent ?? '',
      status: status ? status.textContent : '',
      home: !!document.getElementById('log-issue'),
      site: site && site.selectedIndex >= 0 ? site.options[site.selectedIndex].textContent : '',
      tab: document.querySelector('[role="tab"][aria-selected="true"]')?.id ?? '',
      flash: flash && !flash.hidden ? flash.textContent : '',
      alert: alert ? alert.textContent : '',
      cards: Array.from(document.querySelectorAll('ul.cards > li')).map((li) => ({
        title: li.querySelector('strong')?.textContent ?? '',
        text: Array.from(li.children)
          .map((c) => c.textContent.replace(/\s+/g, ' ').trim())
          .join(' | '),
        pending: !!li.querySelector('.tag.pending'),
      })),
    };
  });
}

/**
 * Wait until `check(state)` is true. With `nudge`, press "Sync now" every `nudge` ms while
 * waiting (the app also syncs every 15 s on its own).
 */
async function waitForApp(browser, what, check, { timeout = 60000, nudge = 0 } = {}) {
  const deadline = Date.now() + timeout;
  let lastNudge = Date.now();
  let state = null;
  let lastError = null;
  for (;;) {
    try {
      state = await appState(browser);
      if (check(state)) return state;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}; app showed: ${JSON.stringify(state)}` +
          (lastError ? ` (last error: ${lastError.message})` : ''),
      );
    }
    if (nudge && Date.now() - lastNudge >= nudge) {
      lastNudge = Date.now();
      await browser
        .execute(() => {
          const button = document.getElementById('sync');
          if (button && !button.disabled) button.click();
        })
        .catch(() => {});
    }
    await sleep(250);
  }
}

/** Type into a field, replacing what was there. */
async function fill(browser, selector, text) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 15000 });
  await el.clearValue();
  await el.setValue(text);
  const got = await el.getValue();
  assert.equal(got, text, `${selector} should hold what was typed`);
}

async function click(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 15000 });
  await el.click();
}

/** One JPEG marker segment: 0xFF, the marker, the length, the contents. */
function segment(marker, contents) {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(contents.length + 2, 2);
  return Buffer.concat([head, contents]);
}

/** The EXIF block a phone camera writes, here just where the photo was taken (GPS, north). */
function gpsExif() {
  const tiff = Buffer.alloc(44);
  tiff.write('MM\u0000*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4); // IFD0
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x8825, 10); // GPSInfo, a LONG pointing at the GPS IFD
  tiff.writeUInt16BE(4, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(26, 18);
  tiff.writeUInt16BE(1, 26);
  tiff.writeUInt16BE(0x0001, 28); // GPSLatitudeRef = "N"
  tiff.writeUInt16BE(2, 30);
  tiff.writeUInt32BE(2, 32);
  tiff.write('N', 36, 'latin1');
  return Buffer.concat([Buffer.from('Exif\u0000\u0000', 'latin1'), tiff]);
}

/**
 * A photo as a phone camera takes it (`taken`: with its GPS position in EXIF) and as PropLink
 * must keep it (`kept`: the same picture without the EXIF block).
 */
function makePhoto(size = 4096) {
  const jfif = segment(0xe0, Buffer.from('JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000', 'latin1'));
  const frame = segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
  const scan = segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));
  // Entropy-coded data never holds 0xFF unstuffed: keep every byte below it.
  const data = Buffer.from(randomBytes(size).map((b) => b & 0x7f));
  const soi = Buffer.from([0xff, 0xd8]);
  const eoi = Buffer.from([0xff, 0xd9]);
  return {
    taken: Buffer.concat([soi, jfif, segment(0xe1, gpsExif()), frame, scan, data, eoi]),
    kept: Buffer.concat([soi, jfif, frame, scan, data, eoi]),
  };
}

/**
 * Put `bytes` into the file input as photo.jpg, as if picked from the camera. Returns how
 * many files the input then holds.
 */
async function attachPhoto(browser, selector, bytes) {
  return browser.execute(
    (sel, data) => {
      const input = document.querySelector(sel);
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'photo.jpg', { type: 'image/jpeg' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return input.files.length;
    },
    selector,
    Array.from(bytes),
  );
}

/**
 * Fill and save the log-issue form (`photo`: bytes to attach, if any); waits until the app is
 * back on its home screen. Returns how the photo was attached.
 */
async function logIssue(browser, { title, location, category, priority, description, photo = null }) {
  await click(browser, '#log-issue');
  await (await browser.$('#title')).waitForDisplayed({ timeout: 15000 });
  await fill(browser, '#title', title);
  await fill(browser, '#location', location);
  await (await browser.$('#category')).selectByAttribute('value', category);
  await (await browser.$('#priority')).selectByAttribute('value', priority);
  if (description) await fill(browser, '#description', description);
  let photoVia = null;
  if (photo) {
    photoVia = 'DataTransfer';
    let attached = 0;
    try {
      attached = await attachPhoto(browser, '#photos', photo);
    } catch {
      attached = 0;
    }
    if (attached !== 1) {
      // No DataTransfer in this webview: send a file's path to the input instead.
      photoVia = 'file path';
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'facility-report-photo-')), 'photo.jpg');
      await writeFile(file, photo);
      await (await browser.$('#photos')).setValue(file);
      attached = await browser.execute((sel) => document.querySelector(sel).files.length, '#photos');
    }
    assert.equal(attached, 1, 'the photo should be attached to the file input');
  }
  await click(browser, '#save-issue');
  await waitForApp(
    browser,
    `"${title}" on the Issues tab`,
    (s) => s.home && s.tab === 'tab-issues' && s.cards.some((c) => c.title === title),
    { timeout: 30000 },
  );
  return photoVia;
}

const cardFor = (state, title) => state.cards.find((c) => c.title === title);

describe('Facility Report desktop app', () => {
  let smtp;
  let server;
  let app;
  let browser;
  let apiUrl;

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ smtpUrl: smtp.url, startTimeoutMs: 90000 });
    apiUrl = `http://api.proplink.localhost:${server.port}`;
    app = await startApp({ env: { FACILITY_REPORT_SERVER: apiUrl }, startTimeoutMs: 60000 });
    browser = app.browser;
  }, { timeout: 240000 });

  after(async () => {
    if (app) await app.stop().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (smtp) await smtp.stop().catch(() => {});
  }, { timeout: 60000 });

  test('sign in, log issues online and offline, sync, and see them in the admin app', { timeout: 420000 }, async (t) => {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const first = `Valve leaking in plant room ${stamp}`;
    const second = `Second finding while offline ${stamp}`;
    const { taken: photo, kept } = makePhoto();
    const photoSha = createHash('sha256').update(photo).digest('hex');
    let step = 'starting';
    let chromium;
    let page;
    try {
      // a. Sign in with the emailed code.
      step = 'sign in';
      const serverField = await browser.$('#server');
      await serverField.waitForDisplayed({ timeout: 60000 });
      assert.equal(await serverField.getValue(), apiUrl, 'the server field should be prefilled from FACILITY_REPORT_SERVER');
      await fill(browser, '#server', apiUrl);
      await fill(browser, '#org', ORG);
      await fill(browser, '#email', SITE_MANAGER);
      await click(browser, '#send-code');
      const code = await smtp.waitForCode(SITE_MANAGER, 30000);
      assert.match(code, /^\d{6}$/);
      t.diagnostic(`sign-in code received for ${SITE_MANAGER}`);
      await fill(browser, '#code', code);
      await click(browser, '#sign-in');
      await (await browser.$('#log-issue')).waitForDisplayed({ timeout: 60000 });

      let state = await appState(browser);
      assert.match(state.status, /^Online · all changes sent/, 'status line after signing in');
      if (state.site !== SITE) {
        await (await browser.$('#site')).selectByVisibleText(SITE);
      }
      state = await waitForApp(browser, `site ${SITE}`, (s) => s.home && s.site === SITE);
      t.diagnostic(`signed in; site ${state.site}; status "${state.status}"`);

      // b. Log an issue with a photo; it goes out at once.
      step = 'log an issue with a photo';
      const photoVia = await logIssue(browser, {
        title: first,
        location: 'Basement plant room, by boiler 2',
        category: 'water_leak',
        priority: 'high',
        description: 'Steady drip from the isolation valve on the return pipe.',
        photo,
      });
      state = await waitForApp(
        browser,
        `"${first}" sent`,
        (s) => /all changes sent/.test(s.status) && cardFor(s, first) && !cardFor(s, first).pending,
        { timeout: 60000, nudge: 10000 },
      );
      assert.match(state.status, /^Online · all changes sent$/);
      assert.match(cardFor(state, first).text, /\b1 photo\b/, 'the synced issue should carry its photo');
      t.diagnostic(`first issue sent (photo attached by ${photoVia}): ${cardFor(state, first).text}`);

      // c. The server goes away; the next change waits in the outbox.
      step = 'log an issue offline';
      await server.pause();
      await logIssue(browser, {
        title: second,
        location: 'Roof access corridor',
        category: 'lighting_fault',
        priority: 'medium',
      });
      state = await waitForApp(
        browser,
        'the app to be offline with 1 change waiting',
        (s) => /Offline/.test(s.status) && /1 waiting/.test(s.status),
        { timeout: 60000, nudge: 5000 },
      );
      assert.equal(state.status, 'Offline · 1 waiting to send');
      assert.ok(cardFor(state, second)?.pending, `"${second}" should be marked as waiting to send`);
      t.diagnostic(`offline: status "${state.status}"`);

      // d. The server is back: a sync sends what waited.
      step = 'sync after the server is back';
      await server.resume();
      await click(browser, '#sync');
      state = await waitForApp(
        browser,
        `"${second}" sent`,
        (s) => /^Online · all changes sent/.test(s.status) && cardFor(s, second) && !cardFor(s, second).pending,
        { timeout: 90000, nudge: 5000 },
      );
      assert.ok(cardFor(state, first) && !cardFor(state, first).pending, 'the first issue is still there, sent');
      t.diagnostic(`back online: status "${state.status}"`);

      await mkdir(resultsDir, { recursive: true });
      await browser.saveScreenshot(path.join(resultsDir, 'app.png'));

      // e. Both are in the admin app, and the audit trail names the app.
      step = 'check the admin app';
      chromium = await launchBrowser();
      const context = await chromium.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(15000);
      page.setDefaultNavigationTimeout(30000);
      const admin = server.orgUrl(ORG);
      await page.goto(`${admin}/`);
      await page.waitForURL((url) => url.pathname === '/sign-in');
      await page.getByLabel('Email address', { exact: true }).fill(STAFF_EMAIL);
      await page.getByRole('button', { name: 'Send code', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in/code');
      const staffCode = await smtp.waitForCode(STAFF_EMAIL, 30000);
      await page.getByLabel('Code', { exact: true }).fill(staffCode);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/dashboard');

      await page.goto(`${admin}/issues`);
      const table = page.locator('table');
      await table.waitFor({ state: 'visible' });
      for (const title of [first, second]) {
        const link = table.getByRole('link', { name: title, exact: true });
        assert.equal(await link.count(), 1, `the issues list should show "${title}" once`);
      }
      const firstRow = table.locator('tbody tr', { has: page.getByRole('link', { name: first, exact: true }) });
      assert.match((await firstRow.innerText()).replace(/\s+/g, ' '), /Riverside Court/, 'the first issue is on the site chosen in the app');

      await table.getByRole('link', { name: first, exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/issues/'));
      const h1 = (await page.locator('h1').first().innerText()).trim();
      assert.equal(h1, first);
      const audit = page.locator('section[aria-labelledby="audit-heading"]');
      await audit.waitFor({ state: 'visible' });
      const trail = (await audit.innerText()).replace(/\s+/g, ' ');
      assert.match(trail, /via Facility Report/, `the audit trail should say the issue came via Facility Report: ${trail}`);
      t.diagnostic(`audit trail: ${trail}`);

      // The photo taken in the app arrived whole.
      const photos = page.locator('section', { has: page.getByRole('heading', { name: /^Photos \(/ }) });
      assert.equal((await photos.getByRole('heading', { level: 2 }).innerText()).trim(), 'Photos (1)');
      const photoLink = photos.getByRole('link', { name: 'Photo 1', exact: true });
      const href = await photoLink.getAttribute('href');
      assert.ok(href && href.endsWith(`/photos/${photoSha}`), `the photo link should name its SHA-256 (${photoSha}): ${href}`);
      // Fetched from the page: its cookie signs the request in, and *.localhost resolves there.
      const got = await page.evaluate(async (url) => {
        const res = await fetch(url);
        return { status: res.status, type: res.headers.get('content-type'), bytes: Array.from(new Uint8Array(await res.arrayBuffer())) };
      }, href);
      assert.equal(got.status, 200, `GET ${href}`);
      assert.equal(got.type, 'image/jpeg');
      assert.ok(
        Buffer.from(got.bytes).equals(kept),
        'the stored photo should be the picture the app was given, without its GPS position',
      );
      t.diagnostic(`photo ${photoSha.slice(0, 12)}: ${photo.length} bytes taken, ${got.bytes.length} kept, image/jpeg`);
      await page.screenshot({ path: path.join(resultsDir, 'app-issue-admin.png'), fullPage: true });
    } catch (err) {
      // Leave evidence for whoever reads the failure.
      await mkdir(resultsDir, { recursive: true }).catch(() => {});
      await browser.saveScreenshot(path.join(resultsDir, 'app-failure.png')).catch(() => {});
      const html = await browser.getPageSource().catch(() => '');
      await writeFile(path.join(resultsDir, 'app-failure.html'), html).catch(() => {});
      await writeFile(path.join(resultsDir, 'app.log'), app.logs()).catch(() => {});
      await writeFile(path.join(resultsDir, 'server.log'), server.logs()).catch(() => {});
      if (page) {
        await page.screenshot({ path: path.join(resultsDir, 'admin-failure.png'), fullPage: true }).catch(() => {});
        await writeFile(path.join(resultsDir, 'admin-failure.html'), await page.content().catch(() => '')).catch(() => {});
      }
      t.diagnostic(
        `failed at step "${step}"; see tests/e2e/test-results/ (app-failure.png, app-failure.html, app.log, server.log` +
          `${page ? ', admin-failure.png, admin-failure.html' : ''})`,
      );
      throw err;
    } finally {
      if (chromium) await chromium.close().catch(() => {});
    }
  });
});
